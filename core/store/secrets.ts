// Secrets reach the backend only through a SecretBox. In the Electron app it
// is safeStorage (OS keyring); plain Node has none, and then passwords are
// kept for the running session only, never written in plain text.
export interface SecretBox {
  /** False where nothing can encrypt at rest. */
  readonly canPersist: boolean;
  /** When canPersist is false: why, in a sentence for the user. */
  readonly whyNot?: string;
  /**
   * True for a secret sealed in a way that protects nothing (Linux's
   * fixed-key fallback, from before it was refused): such secrets are removed.
   */
  isWeaklySealed?(sealed: string): boolean;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export const NO_PERSISTENT_SECRETS: SecretBox = {
  canPersist: false,
  whyNot:
    'The browser shell has no encrypted secret store, and Clusterdeck never writes a password in plain text. The password is kept until it closes; use a key file or ssh-agent to stay logged in.',
  encrypt() {
    throw new Error('No secret store is available here.');
  },
  decrypt() {
    throw new Error('No secret store is available here.');
  },
};
