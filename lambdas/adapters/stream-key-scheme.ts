/** Stored stream-key ciphertexts start with a scheme tag: `kms:v1:…` in AWS, `local:v1:…` locally. */

/** `kms:v1`, `local:v1`, or `untagged`: enough to say what was found, nothing of the value. */
export function describeScheme(ciphertext: string): string {
  const match = /^([a-z]+:v\d+):/.exec(ciphertext);
  return match?.[1] ?? 'untagged';
}
