import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { App } from './app.ts';

/** Whether this browser can use passkeys at all. */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/** Adds a passkey for the signed-in user: the phone asks for the face, finger or PIN. */
export async function addPasskey(app: App, name: string): Promise<void> {
  const { challenge_id, options } = await app.kassa.request<{
    challenge_id: string;
    options: PublicKeyCredentialCreationOptionsJSON;
  }>({ method: 'POST', path: '/v1/passkeys/options' });
  const response = await startRegistration({ optionsJSON: options });
  await app.kassa.request({
    method: 'POST',
    path: '/v1/passkeys',
    body: { challenge_id, response, name },
  });
}

/** Logs in with a passkey (no password, no code). */
export async function logInWithPasskey(app: App): Promise<void> {
  const { challenge_id, options } = await app.kassa.passkeyOptions();
  const response = await startAuthentication({
    optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
  });
  await app.kassa.logInWithPasskey(challenge_id, response);
}

/** Offered once after sign-up, on Home: this tab only. */
const offerKey = 'kassa:offer-passkey';
export const offerPasskeyLater = (): void => sessionStorage.setItem(offerKey, '1');
export const passkeyOffered = (): boolean => sessionStorage.getItem(offerKey) === '1';
export const stopOfferingPasskey = (): void => sessionStorage.removeItem(offerKey);
