/** Asks for an access token when the service has tokens configured (kept for this browser session only). */
import { useState } from "preact/hooks";

export function SignIn(props: { rejected: boolean; onSubmit(token: string): void }) {
  const [token, setToken] = useState("");
  return (
    <main class="sign-in">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) props.onSubmit(token.trim());
        }}
      >
        <h1>Entrar no editor de regras</h1>
        <p>Este serviço exige um token de acesso. Ele fica guardado só nesta aba do navegador.</p>
        {props.rejected && (
          <p class="error" role="alert">
            O token informado não foi aceito. Confira e tente de novo.
          </p>
        )}
        <label for="token">Token de acesso</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          data-testid="token-input"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <button type="submit" class="primary" data-testid="sign-in" disabled={!token.trim()}>
          Entrar
        </button>
      </form>
    </main>
  );
}
