/**
 * Token requests to providers: the grants (client credentials, refresh token, password), the provider
 * dialects (Nomba, WSO2, plain OAuth 2.0), response parsing, retries and revocation.
 */
@NullMarked
package dev.tokenstarter.grant;

import org.jspecify.annotations.NullMarked;
