/**
 * Exhaustiveness for switches over discriminated unions (`Expr["kind"]`, `Action["kind"]`, table
 * hit policies, ...). Call it in the `default:` branch: when a member is added to the union and a
 * switch does not handle it, `tsc` fails on the call (the value is not `never`), naming the switch
 * to update. At run time it throws, which can only happen if a value bypassed the types.
 */
export function assertNever(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
