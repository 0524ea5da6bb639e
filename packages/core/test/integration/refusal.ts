/** What tests of bad input share: the field a ValidationError names. */
import { ValidationError } from "@neslink/core";
import { expect } from "vitest";

/** The field `fn`'s ValidationError names; fails the test when `fn` accepts or throws anything else. */
export function refusedField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  throw new Error("accepted");
}
