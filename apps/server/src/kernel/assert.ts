/**
 * Assertions guard programmer errors and broken invariants (TigerBeetle style). A failed
 * assertion is a bug: it throws an AssertionFailure that the HTTP layer never maps to a client
 * error, and domain code never catches it.
 */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}
