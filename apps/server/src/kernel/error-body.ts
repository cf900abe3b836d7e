import { errorCatalogue, type ErrorBody, type ErrorCode } from '@kassa/contracts';
import { maskCardNumbers } from './card-data-masking.ts';

/** Renders the API error object of shared/API.md from the catalogue. */
export function errorBody(
  code: ErrorCode,
  requestId: string,
  overrides: {
    message?: string | undefined;
    param?: string | undefined;
    moneyMoved?: boolean | null | undefined;
    declineCode?: string;
  } = {},
): ErrorBody {
  const definition = errorCatalogue[code];
  // Messages and params can quote client input (an unknown field's name): never a card number.
  const param = overrides.param === undefined ? undefined : maskCardNumbers(overrides.param);
  const message = maskCardNumbers(overrides.message ?? definition.message);
  return {
    error: {
      type: definition.type,
      code,
      message,
      ...(param === undefined ? {} : { param }),
      ...(overrides.declineCode === undefined ? {} : { decline_code: overrides.declineCode }),
      request_id: requestId,
      money_moved:
        overrides.moneyMoved === undefined ? definition.moneyMoved : overrides.moneyMoved,
      retryable: definition.retryable,
      next_action: definition.nextAction,
    },
  };
}
