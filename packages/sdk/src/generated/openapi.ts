/* Generated from packages/sdk/openapi.json by scripts/sdk-openapi.ts: do not edit. */

export interface paths {
    "/livez": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is running */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: dependencies answer in time; `degraded` lists features that are off (an open processor circuit) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (the operator key: they describe the business) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign up (creates a wallet)
         * @description An email that already has an account gets the same 201 answer with a decoy that is never stored, so sign-up does not reveal who has an account; the owner is told.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        password: string;
                        name: string;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user and their wallets */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "user";
                            email: string;
                            name: string;
                            /** Format: date-time */
                            created_at: string;
                        } & {
                            wallets: {
                                id: string;
                                /** @enum {string} */
                                object: "wallet";
                                /**
                                 * @description ISO 4217 code, upper case.
                                 * @example USD
                                 */
                                currency: string;
                                /** @description Settled, in minor units. */
                                balance: number;
                                /** @description Spendable now: balance minus holds. */
                                available: number;
                                /** @description Holds in minus holds out. */
                                pending: number;
                            }[];
                            /** @description Two-step verification (an authenticator app) is on for this account. */
                            two_factor_enabled: boolean;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/merchants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a merchant (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description The legal name the operator verified (default: `name`); shown to payers. */
                        verified_name?: string;
                        category: string;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                        fee_bps?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/merchants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A merchant as payers see it (cached); with its fee for itself and the operator */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "merchant";
                            /** @description The display name the merchant chose (it may change it). */
                            name: string;
                            verified_name: string | null;
                            category: string;
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            /** @description Only for the merchant and the operator. */
                            fee_bps?: number;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change how payers see the merchant (itself or the operator) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        category?: string;
                        verified_name?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "merchant";
                            /** @description The display name the merchant chose (it may change it). */
                            name: string;
                            verified_name: string | null;
                            category: string;
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            /** @description Only for the merchant and the operator. */
                            fee_bps?: number;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in (answers with a 2FA challenge when 2FA is on) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access_token: string;
                            refresh_token: string;
                            /** @enum {string} */
                            token_type: "Bearer";
                            /** @description Seconds the access token lives. */
                            expires_in: number;
                        } | {
                            /** @enum {boolean} */
                            requires_2fa: true;
                            challenge_id: string;
                            expires_in: number;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/2fa": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Complete a 2FA log-in with a TOTP or recovery code */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        challenge_id: string;
                        /** @description A 6-digit TOTP code, or a recovery code where allowed. */
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access_token: string;
                            refresh_token: string;
                            /** @enum {string} */
                            token_type: "Bearer";
                            /** @description Seconds the access token lives. */
                            expires_in: number;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate a refresh token (reuse revokes the whole session) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refresh_token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            access_token: string;
                            refresh_token: string;
                            /** @enum {string} */
                            token_type: "Bearer";
                            /** @description Seconds the access token lives. */
                            expires_in: number;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the password: every session of the user is revoked */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        current_password: string;
                        new_password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Log out: revokes the session and its access tokens */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/passkeys/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start adding a passkey: WebAuthn creation options */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The user's passkeys */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Add a passkey (the answer to /v1/passkeys/options) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        challenge_id: string;
                        /** @description The browser's WebAuthn answer, as JSON. */
                        response: unknown;
                        name?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/passkeys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a passkey */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/passkey/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a passkey log-in: WebAuthn request options */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/passkey": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in with a passkey (no password, no second code) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        challenge_id: string;
                        /** @description The browser's WebAuthn answer, as JSON. */
                        response: unknown;
                        name?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/2fa/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start TOTP enrolment (needs the current password): a secret and an otpauth:// URI, valid 15 minutes */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /** Turn 2FA off (needs the password and a current code) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                        /** @description A 6-digit TOTP code, or a recovery code where allowed. */
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/2fa/totp/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm enrolment with a first code; returns recovery codes (shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A 6-digit TOTP code, or a recovery code where allowed. */
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/2fa/recovery_codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** New recovery codes, shown once (needs the password and a current code); the old ones stop working */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                        /** @description A 6-digit TOTP code, or a recovery code where allowed. */
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Devices of the caller */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Enroll this install's public key; the first device is trusted, later ones after a 2FA confirmation */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description Public JWK (P-256 or Ed25519). */
                        public_key: {
                            [key: string]: string;
                        };
                        fingerprint?: {
                            [key: string]: string | number | boolean;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "device";
                            name: string;
                            trusted: boolean;
                            /** @description `ES256` or `EdDSA`. */
                            key_algorithm: string;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/devices/{id}/trust": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Trust a device with a current 2FA code */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api_keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your secret keys (merchant) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api_keys/{id}/roll": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new secret key (shown once); the old one works until `expires_in_hours` (default 24) have passed */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description How long the old key keeps working (default 24; 0: stop it now). */
                        expires_in_hours?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api_keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a secret key at once */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/merchants/{id}/api_keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A merchant's secret keys (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Issue a merchant a new secret key (operator; shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/merchants/{id}/api_keys/{key}/roll": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Roll a merchant's key (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    key: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description How long the old key keeps working (default 24; 0: stop it now). */
                        expires_in_hours?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/merchants/{id}/api_keys/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a merchant's key (operator) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/wallets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A wallet and its balances */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "wallet";
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            /** @description Settled, in minor units. */
                            balance: number;
                            /** @description Spendable now: balance minus holds. */
                            available: number;
                            /** @description Holds in minus holds out. */
                            pending: number;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/wallets/{id}/transactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Wallet history, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description 1..100, default 10 */
                    limit?: string;
                    starting_after?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send money to another user (P2P) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A user id, email or wallet id. */
                        to: string;
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount: number;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                        description?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "transfer";
                            /** @enum {string} */
                            status: "requires_action" | "processing" | "requires_capture" | "under_review" | "succeeded" | "canceled" | "failed" | "outcome_unknown";
                            /** @description Minor units. */
                            amount: number;
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            from: {
                                user: string | null;
                                wallet: string | null;
                            };
                            to: {
                                user: string | null;
                                wallet: string | null;
                            };
                            description: string | null;
                            failure_code: string | null;
                            next_action: {
                                /** @enum {string} */
                                type: "verify_2fa";
                                confirm_url: string;
                            } | null;
                            risk: {
                                /** @enum {string} */
                                decision: "allow" | "step_up" | "review" | "block";
                                /** @description Higher is riskier. */
                                score: number;
                                reasons: {
                                    code: string;
                                    message: string;
                                }[];
                                model_version: string | null;
                                rules_version: string;
                            } | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/transfers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A transfer (sender or recipient) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "transfer";
                            /** @enum {string} */
                            status: "requires_action" | "processing" | "requires_capture" | "under_review" | "succeeded" | "canceled" | "failed" | "outcome_unknown";
                            /** @description Minor units. */
                            amount: number;
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            from: {
                                user: string | null;
                                wallet: string | null;
                            };
                            to: {
                                user: string | null;
                                wallet: string | null;
                            };
                            description: string | null;
                            failure_code: string | null;
                            next_action: {
                                /** @enum {string} */
                                type: "verify_2fa";
                                confirm_url: string;
                            } | null;
                            risk: {
                                /** @enum {string} */
                                decision: "allow" | "step_up" | "review" | "block";
                                /** @description Higher is riskier. */
                                score: number;
                                reasons: {
                                    code: string;
                                    message: string;
                                }[];
                                model_version: string | null;
                                rules_version: string;
                            } | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Payments of the caller (payer or merchant), newest first */
        get: {
            parameters: {
                query?: {
                    /** @description 1..100, default 10 */
                    limit?: string;
                    starting_after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "list";
                            data: {
                                id: string;
                                /** @enum {string} */
                                object: "payment";
                                /** @enum {string} */
                                status: "requires_action" | "processing" | "requires_capture" | "under_review" | "succeeded" | "canceled" | "failed" | "outcome_unknown";
                                /** @description Minor units. */
                                amount: number;
                                /** @description Minor units. */
                                amount_captured: number;
                                /** @description Minor units. */
                                amount_refunded: number;
                                /** @description Minor units. */
                                fee: number;
                                /**
                                 * @description ISO 4217 code, upper case.
                                 * @example USD
                                 */
                                currency: string;
                                capture_method: "automatic" | "manual";
                                merchant: string | null;
                                payer: string | null;
                                description: string | null;
                                failure_code: string | null;
                                cancellation_reason: string | null;
                                next_action: {
                                    /** @enum {string} */
                                    type: "verify_2fa";
                                    confirm_url: string;
                                } | null;
                                capture_before: string | null;
                                risk: {
                                    /** @enum {string} */
                                    decision: "allow" | "step_up" | "review" | "block";
                                    /** @description Higher is riskier. */
                                    score: number;
                                    reasons: {
                                        code: string;
                                        message: string;
                                    }[];
                                    model_version: string | null;
                                    rules_version: string;
                                } | null;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            has_more: boolean;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Pay a merchant */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @example mer_01jd7w9k3c8v4t5e6r7y8z9a0b */
                        merchant: string;
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount: number;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                        capture?: "automatic" | "manual";
                        description?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "payment";
                            /** @enum {string} */
                            status: "requires_action" | "processing" | "requires_capture" | "under_review" | "succeeded" | "canceled" | "failed" | "outcome_unknown";
                            /** @description Minor units. */
                            amount: number;
                            /** @description Minor units. */
                            amount_captured: number;
                            /** @description Minor units. */
                            amount_refunded: number;
                            /** @description Minor units. */
                            fee: number;
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            capture_method: "automatic" | "manual";
                            merchant: string | null;
                            payer: string | null;
                            description: string | null;
                            failure_code: string | null;
                            cancellation_reason: string | null;
                            next_action: {
                                /** @enum {string} */
                                type: "verify_2fa";
                                confirm_url: string;
                            } | null;
                            capture_before: string | null;
                            risk: {
                                /** @enum {string} */
                                decision: "allow" | "step_up" | "review" | "block";
                                /** @description Higher is riskier. */
                                score: number;
                                reasons: {
                                    code: string;
                                    message: string;
                                }[];
                                model_version: string | null;
                                rules_version: string;
                            } | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A payment (payer or merchant) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "payment";
                            /** @enum {string} */
                            status: "requires_action" | "processing" | "requires_capture" | "under_review" | "succeeded" | "canceled" | "failed" | "outcome_unknown";
                            /** @description Minor units. */
                            amount: number;
                            /** @description Minor units. */
                            amount_captured: number;
                            /** @description Minor units. */
                            amount_refunded: number;
                            /** @description Minor units. */
                            fee: number;
                            /**
                             * @description ISO 4217 code, upper case.
                             * @example USD
                             */
                            currency: string;
                            capture_method: "automatic" | "manual";
                            merchant: string | null;
                            payer: string | null;
                            description: string | null;
                            failure_code: string | null;
                            cancellation_reason: string | null;
                            next_action: {
                                /** @enum {string} */
                                type: "verify_2fa";
                                confirm_url: string;
                            } | null;
                            capture_before: string | null;
                            risk: {
                                /** @enum {string} */
                                decision: "allow" | "step_up" | "review" | "block";
                                /** @description Higher is riskier. */
                                score: number;
                                reasons: {
                                    code: string;
                                    message: string;
                                }[];
                                model_version: string | null;
                                rules_version: string;
                            } | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}/capture": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Capture a held payment (merchant) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Release a held payment (merchant or payer) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refund a payment, fully or partly (merchant) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @example pay_01jd7w9k3c8v4t5e6r7y8z9a0b */
                        payment: string;
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount?: number;
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/transfers/{id}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm a transfer waiting in requires_action with a 2FA code (moves the money once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm a payment waiting in requires_action with a 2FA code (moves the money once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        code: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/funding": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Credit a wallet from the system funding account (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @example wal_01jd7w9k3c8v4t5e6r7y8z9a0b */
                        wallet: string;
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount: number;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                        description?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/reviews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Payments and transfers held for review, oldest first (operator) */
        get: {
            parameters: {
                query?: {
                    /** @description 1..100, default 10 */
                    limit?: string;
                    starting_after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/reviews/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a held payment: the money is posted (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/reviews/{id}/decline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Decline a held payment: the hold is released (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/transfers/{id}/report_fraud": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Report a transfer you did not make (payer): a fraud label and an operator review */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payments/{id}/report_fraud": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Report a payment you did not make (payer): a fraud label and an operator review */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recipients/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Who a transfer to `to` would reach: a masked display name (rate-limited) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description An email, user id or wallet id. */
                        to: string;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "recipient";
                            /** @description The recipient as it was asked for. */
                            to: string;
                            /** @description First name and last initial, e.g. "Ada L." */
                            display_name: string;
                            /** @description You have not sent this person money before. */
                            first_payment: boolean;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @enum {string} */
                                type: "invalid_request_error" | "authentication_error" | "authorization_error" | "payment_error" | "idempotency_error" | "rate_limit_error" | "api_error";
                                code: string;
                                /** @description Safe to show to the end user. */
                                message: string;
                                param?: string;
                                decline_code?: string;
                                request_id: string;
                                money_moved: boolean | null;
                                retryable: boolean;
                                /** @enum {string} */
                                next_action: "retry" | "retry_later" | "fix_request" | "top_up" | "log_in" | "verify_2fa" | "use_new_idempotency_key" | "contact_support";
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/lists": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Allow and block entries in force (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Block or allow a user, a device or a payee wallet (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        subject: "user" | "device" | "payee";
                        /** @description A usr_, dev_ or wal_ id. */
                        value: string;
                        action: "allow" | "block";
                        note?: string;
                        /** Format: date-time */
                        expires_at?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/lists/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an allow or block entry (operator) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rule sets, newest version first (operator) */
        get: {
            parameters: {
                query?: {
                    /** @description 1..100, default 10 */
                    limit?: string;
                    starting_after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Submit a rule set for a second operator to approve (named operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description: string;
                        mode?: "live" | "shadow";
                        rules: {
                            /** @description Unique in the set: a_rule_name. */
                            name: string;
                            /** @description A CEL condition over the features, e.g. `amount > 50000 && payee_is_new == 1.0`. */
                            when: string;
                            action: "allow" | "block" | "review" | "step_up";
                            reason?: {
                                code: string;
                                message: string;
                            };
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One rule set (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a rule set: it goes live (or into shadow) at once (a second named operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        note?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a rule set (a second named operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        note?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets/{id}/resubmit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit an earlier version again, for a second operator to approve: a rollback (named operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets/{id}/deactivate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Take a rule set out of force at once (an emergency stop; one named operator, alerted): live falls back to the built-in thresholds, shadow stops */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/rule_sets/{id}/shadow_report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A shadow rule set's would-be decisions against the live ones (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/risk/backtests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replay the last days of decisions through draft rules or a stored rule set (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        rules?: {
                            /** @description Unique in the set: a_rule_name. */
                            name: string;
                            /** @description A CEL condition over the features, e.g. `amount > 50000 && payee_is_new == 1.0`. */
                            when: string;
                            action: "allow" | "block" | "review" | "step_up";
                            reason?: {
                                code: string;
                                message: string;
                            };
                        }[];
                        /** @description An rrs_ id. */
                        rule_set?: string;
                        /** @description Default 28. */
                        days?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/operators": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List operator accounts (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Create a named operator account (bootstrap operator key; key shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A unique, lowercase name (letters, digits, dot, dash, underscore), e.g. "ana.ops". */
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/operators/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Disable an operator account: its key stops working (bootstrap operator key) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/ledger/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open a ledger account (operator) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                        code?: string;
                        flags?: {
                            debits_must_not_exceed_credits?: boolean;
                            credits_must_not_exceed_debits?: boolean;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/ledger/accounts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A ledger account (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/ledger/transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Post a batch of up to 8,000 ledger transfers in one transaction (operator)
         * @description Each transfer gets its own result. Linked transfers commit all or nothing; one chain's rejection never undoes another. Resending a transfer id with the same fields returns "exists".
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        transfers: {
                            /** @example ltr_01jd7w9k3c8v4t5e6r7y8z9a0b */
                            id: string;
                            /** @example acc_01jd7w9k3c8v4t5e6r7y8z9a0b */
                            debit_account?: string;
                            /** @example acc_01jd7w9k3c8v4t5e6r7y8z9a0b */
                            credit_account?: string;
                            amount?: number;
                            code?: string;
                            flags?: {
                                linked?: boolean;
                                pending?: boolean;
                                post_pending?: boolean;
                                void_pending?: boolean;
                            };
                            /** @example ltr_01jd7w9k3c8v4t5e6r7y8z9a0b */
                            pending_id?: string;
                            timeout_seconds?: number;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/ledger/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recompute every balance from the journal and prove Σdebits = Σcredits (operator) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payment_methods": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Saved cards of the caller */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Save a card: returns a pm_ token, brand, BIN and last 4 (the security code is checked, never stored) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        card: {
                            /** @description Digits, optionally grouped with spaces or dashes. */
                            number: string;
                            exp_month: number;
                            exp_year: number;
                            /** @description Checked, never stored. */
                            cvc: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payment_methods/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a card (its key material is destroyed) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/topups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Top up a wallet from a saved card (through the processor)
         * @description 201 with the finished top-up (`succeeded` or `failed` with `failure_code`), or 202 with `outcome_unknown` when the processor did not answer: retry with the same Idempotency-Key, or wait (the worker resolves it).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @example pm_01jd7w9k3c8v4t5e6r7y8z9a0b */
                        payment_method: string;
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount: number;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send wallet money to a bank account (held until the bank confirms)
         * @description 201 with the finished payout (`succeeded` = paid, or `failed` with the hold released), or 202 with `outcome_unknown`. Insufficient funds: 402, nothing stored. A payout that needs a second factor (its amount, the day's total, an untrusted device) is refused with 403 `step_up_required` until it is sent again with `code` (a current TOTP code).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Integer amount in the currency minor units (1050 = 10.50 USD).
                         * @example 1050
                         */
                        amount: number;
                        /**
                         * @description ISO 4217 code, upper case.
                         * @example USD
                         */
                        currency: string;
                        bank_account: {
                            country: string;
                            account_number: string;
                            routing_number: string;
                        };
                        /** @description A current TOTP code, when the payout needs a second factor (403 `step_up_required`). */
                        code?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/topups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The top-up (owner only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payouts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The payout (owner only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events about your objects, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: string;
                    starting_after?: string;
                    ending_before?: string;
                    type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One event (yours only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/receipts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Receipt of a succeeded payment, transfer, refund or top-up (`Accept: text/html` for a printable page) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your alerts, newest first, with the unread count */
        get: {
            parameters: {
                query?: {
                    limit?: string;
                    starting_after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark an alert read */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-sent events: each new alert as `event: notification` with its id; send `Last-Event-ID` to resume */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your webhook endpoints */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /** Subscribe a URL to events (["*"] for all); the whsec_ signing secret is shown once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        url: string;
                        events: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an endpoint (nothing more is sent to it) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints/{id}/rotate_secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** New signing secret; for 24 hours deliveries carry signatures by both the old and the new one */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-enable the endpoint and send its dead deliveries again */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries to an endpoint, newest first (`status=dead`: the dead-letter list) */
        get: {
            parameters: {
                query?: {
                    status?: "pending" | "delivered" | "dead";
                    limit?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
