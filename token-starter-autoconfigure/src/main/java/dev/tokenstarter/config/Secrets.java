package dev.tokenstarter.config;

import org.jspecify.annotations.Nullable;

/**
 * The one place that decides how a secret or token value is shown: never, not even in part.
 */
public final class Secrets {

	/** What stands in for a secret wherever it would be shown. */
	public static final String MASK = "******";

	private Secrets() {
	}

	/**
	 * Returns a stand-in for {@code secret} that says whether it is set and nothing else.
	 * @param secret a secret, token or credential
	 * @return {@code "******"} when set, {@code "(none)"} when null or empty
	 */
	public static String mask(@Nullable String secret) {
		return (secret == null || secret.isEmpty()) ? "(none)" : MASK;
	}

}
