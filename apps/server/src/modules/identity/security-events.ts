import { encodeId } from '../../kernel/ids.ts';
import type { PublicEvent } from '../events/index.ts';

export type SecurityChange =
  | 'two_factor.enabled'
  | 'two_factor.disabled'
  | 'two_factor.recovery_codes_regenerated'
  | 'password.changed';

/** The public event of a change to a user's account security: the user is told of each. */
export function securityEvent(type: SecurityChange, userId: string): PublicEvent {
  return {
    type,
    object: { id: encodeId('usr', userId), object: 'security_change', change: type },
    userIds: [userId],
    merchantId: null,
  };
}
