/**
 * Token requests to providers: the grants (client credentials, refresh token, password), how each provider type
 * speaks at its token endpoint (RFC 6749 for plain OAuth 2.0 and WSO2, Nomba's own), response parsing, retries
 * and revocation.
 */
@NullMarked
package dev.tokenstarter.grant;

import org.jspecify.annotations.NullMarked;
