package dev.tokenstarter.config;

/**
 * How the parameters of a token request are sent.
 */
public enum TokenRequestFormat {

	/**
	 * As an application/x-www-form-urlencoded form, as RFC 6749 prescribes.
	 */
	FORM,

	/**
	 * As a JSON object with the same names, for providers that only accept JSON (such as Pagstar's current API).
	 */
	JSON

}
