/**
 * Users' own tokens: a user signs in with username and password against a password-grant provider (WSO2 API
 * Manager), and the application calls the API as that user through the user's {@code TokenKey}. One token per
 * user for the whole fleet; the credentials stay in the memory of the instance the user signed in on.
 */
@NullMarked
package dev.tokenstarter.user;

import org.jspecify.annotations.NullMarked;
