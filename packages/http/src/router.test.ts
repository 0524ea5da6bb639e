import { NeslinkError } from "@neslink/core";
import { describe, expect, it } from "vitest";
import { HttpError } from "./http-error.js";
import { router } from "./router.js";
import { routes } from "./routes/index.js";

const match = router(routes);

function refusal(method: string, path: string): NeslinkError {
  try {
    match(method, path);
  } catch (err) {
    expect(NeslinkError.isInstance(err)).toBe(true);
    return err as NeslinkError;
  }
  throw new Error("expected a refusal");
}

describe("router", () => {
  it("matches routes and decodes their parameters", () => {
    const { route, params } = match("GET", "/v1/namespaces/lab%201/links/eth0");
    expect(route.path).toBe("/v1/namespaces/{name}/links/{link}");
    expect(params).toEqual({ name: "lab 1", link: "eth0" });
    expect(match("POST", "/v1/namespaces").route.body).toBeDefined();
    expect(match("DELETE", "/v1/namespaces/lab1").params).toEqual({ name: "lab1" });
  });

  it("keeps an encoded '/' inside one parameter, for core to refuse", () => {
    expect(match("DELETE", "/v1/namespaces/..%2F..%2Fetc").params.name).toBe("../../etc");
  });

  it("refuses unknown paths (404), other methods (405, with Allow) and bad escapes (400)", () => {
    expect(refusal("GET", "/v1/nothing").code).toBe("ERR_ROUTE_NOT_FOUND");
    const wrongMethod = refusal("PUT", "/v1/namespaces/lab1");
    expect(wrongMethod.code).toBe("ERR_METHOD_NOT_ALLOWED");
    expect(wrongMethod).toBeInstanceOf(HttpError);
    expect((wrongMethod as HttpError).headers).toEqual({ allow: "DELETE" });
    expect(refusal("GET", "/v1/namespaces/%E0%A4%A/links").code).toBe("ERR_INVALID_ARGUMENT");
  });

  it("serves only health and the OpenAPI document without a token, and gates exec", () => {
    expect(routes.filter((r) => r.public).map((r) => r.path)).toEqual(["/v1/health", "/v1/openapi.json"]);
    expect(routes.filter((r) => r.exec).map((r) => r.path)).toEqual(["/v1/namespaces/{name}/exec"]);
  });
});
