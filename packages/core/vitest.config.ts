import { neslinkProjects } from "../../vitest.shared.js";

export default neslinkProjects;
