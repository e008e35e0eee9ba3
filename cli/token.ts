/**
 * `rules token --name N --roles a,b`: creates a random access token and prints it once, with the
 * line to put in TOKENS / TOKENS_FILE (which stores only its SHA-256 hash).
 */
import { newToken, ROLES, type Role } from "../common/tokens.js";
import { COMMAND_HELP } from "./help.js";
import { EXIT_OK, guard, parseCommandLine, UsageError, type CliContext } from "./io.js";

export function token(ctx: CliContext): Promise<number> {
  return guard(ctx, () => {
    const { values, positionals } = parseCommandLine("token", ctx.argv, {
      name: { type: "string" },
      roles: { type: "string" },
    });
    if (values.help) {
      ctx.stdout.write(COMMAND_HELP.token ?? "");
      return EXIT_OK;
    }
    if (positionals.length) throw new UsageError(`argumento inesperado "${positionals[0]}"`, "token");
    const name = values.name as string | undefined;
    if (!name || !/^[\w.@-]{1,64}$/.test(name))
      throw new UsageError("informe --name (letras, dígitos, . @ - _)", "token");
    const roles = ((values.roles as string | undefined) ?? "")
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean);
    if (roles.length === 0)
      throw new UsageError(`informe --roles, por exemplo --roles decide (papéis: ${ROLES.join(", ")})`, "token");
    for (const r of roles)
      if (!ROLES.includes(r as Role))
        throw new UsageError(`papel desconhecido "${r}" (papéis: ${ROLES.join(", ")})`, "token");
    const { token: secret, line } = newToken(name, roles as Role[]);
    ctx.stdout.write(
      `token (guarde-o agora; ele não é armazenado): ${secret}\nlinha para TOKENS ou TOKENS_FILE: ${line}\n`,
    );
    return EXIT_OK;
  });
}
