package dev.tokenstarter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

import static dev.tokenstarter.test.Fuzz.chance;
import static dev.tokenstarter.test.Fuzz.pick;

/**
 * Random {@code token.providers.*} and {@code token.defaults.*} property sets, valid and not: values of the wrong
 * type, out of range, missing required pieces, misspelt keys, unresolved placeholders, settings of another
 * provider type, inconsistent lifetimes, single-session clients configured twice. Each set carries the model's
 * verdict: the properties that are wrong, those found while binding (all reported together) apart from those only
 * found when the beans are built (a missing SSL bundle). Every URL that a valid set can call is the test's own
 * stub; no set sends a request anywhere else.
 */
final class TokenConfigurations {

	/** Every client secret drawn contains it, so that a report can be searched for secrets. */
	static final String SECRET_MARK = "s3cr3t";

	private static final String P = "token.providers.";

	private static final String D = "token.defaults.";

	private static final Duration BUILT_IN_DEFAULT_LIFETIME = Duration.ofMinutes(5);

	private static final Duration BUILT_IN_MAX_LIFETIME = Duration.ofDays(30);

	private TokenConfigurations() {
	}

	/**
	 * A property set and the model's verdict on it.
	 *
	 * @param properties the properties, as {@code name=value}
	 * @param providers the names of the providers whose application token a started configuration serves (not
	 * those of a password grant without a user of their own, which serve users who sign in)
	 * @param wrongWhenBound the properties a start-up report must name (each of them), found while binding
	 * @param wrongWhenBuilt the properties found wrong when the beans are built, reported when binding found none
	 */
	record Case(List<String> properties, List<String> providers, Set<String> wrongWhenBound,
			Set<String> wrongWhenBuilt) {

		boolean valid() {
			return this.wrongWhenBound.isEmpty() && this.wrongWhenBuilt.isEmpty();
		}

		@Override
		public String toString() {
			return "\n  " + String.join("\n  ", this.properties) + "\n  wrong when bound: " + this.wrongWhenBound
					+ ", when built: " + this.wrongWhenBuilt;
		}

	}

	enum Kind {

		CLIENT_CREDENTIALS, PASSWORD, WSO2, NOMBA

	}

	/**
	 * How a password-grant user's username or password is drawn.
	 */
	private enum UserSetting {

		SET, EMPTY, ABSENT

	}

	/**
	 * Property sets whose URLs point at {@code stub}.
	 */
	static Gen<Case> cases(String stub) {
		return (in) -> new Builder(in, stub).build();
	}

	/**
	 * Draws one set, and judges it as it goes.
	 */
	private static final class Builder {

		private final RandomnessSource in;

		private final String stub;

		private final List<String> properties = new ArrayList<>();

		private final Set<String> bound = new LinkedHashSet<>();

		private final Set<String> built = new LinkedHashSet<>();

		private @Nullable String defaultClientAuthentication;

		private @Nullable String defaultSessions;

		private @Nullable Duration defaultDefaultLifetime;

		private @Nullable Duration defaultMaxLifetime;

		/** The previous provider's token endpoint and client, for a second entry of the same client. */
		private @Nullable String previousClient;

		private @Nullable String previousTokenUri;

		private boolean previousSingle;

		/** A careful set holds no mistake, so that valid sets are drawn as often as invalid ones. */
		private final boolean careful;

		Builder(RandomnessSource in, String stub) {
			this.in = in;
			this.stub = stub;
			this.careful = chance(in, 45);
		}

		/**
		 * Draws true {@code percent} times in a hundred, never in a careful set.
		 */
		private boolean mistake(int percent) {
			return !this.careful && chance(this.in, percent);
		}

		/**
		 * Draws one of {@code valid}, or in a careless set one of {@code valid} and {@code invalid}.
		 */
		private String choose(List<String> valid, String... invalid) {
			List<String> all = new ArrayList<>(valid);
			if (!this.careful) {
				all.addAll(List.of(invalid));
			}
			return pick(this.in, all);
		}

		Case build() {
			defaults();
			List<String> names = new ArrayList<>();
			int count = pick(this.in, 1, 1, 2, 3);
			for (String name : List.of("acme", "orders", "pay-ments").subList(0, count)) {
				if (provider(name, pick(this.in, Kind.values()))) {
					names.add(name);
				}
			}
			return new Case(List.copyOf(this.properties), names, Set.copyOf(this.bound), Set.copyOf(this.built));
		}

		private void defaults() {
			if (chance(this.in, 15)) {
				this.defaultClientAuthentication = choose(List.of("client_secret_post", "client_secret_basic"),
						"tls_client_auth", "client_secret_header");
				set(D + "client-authentication", this.defaultClientAuthentication,
						this.defaultClientAuthentication.equals("client_secret_header"));
				if (this.defaultClientAuthentication.equals("client_secret_header")) {
					this.defaultClientAuthentication = null;
				}
			}
			if (chance(this.in, 10)) {
				String scopes = choose(List.of("read", "read,write"), "a b", "quote\"d");
				set(D + "scopes", scopes, !scopes.startsWith("read"));
			}
			if (chance(this.in, 10)) {
				this.defaultSessions = choose(List.of("multiple", "single"), "one");
				set(D + "sessions", this.defaultSessions, this.defaultSessions.equals("one"));
				if (this.defaultSessions.equals("one")) {
					this.defaultSessions = null;
				}
			}
			if (chance(this.in, 10)) {
				String attempts = choose(List.of("3", "1"), "0", "x");
				set(D + "retry.max-attempts", attempts, attempts.equals("0") || attempts.equals("x"));
			}
			if (chance(this.in, 5)) {
				String statuses = choose(List.of("401,403"), "999", "abc");
				set(D + "unauthorized-statuses", statuses, !statuses.startsWith("401"));
			}
			if (chance(this.in, 10)) {
				set(D + "headers.X-Source", "billing", false);
			}
			if (mistake(4)) {
				set(D + pick(this.in, "client-id", "token-uri", "refresh.idle-timout"), "x", true);
			}
			this.defaultDefaultLifetime = lifetime(D + "refresh.default-lifetime", "2m", "1h", "60d");
			this.defaultMaxLifetime = lifetime(D + "refresh.max-lifetime", "1h", "30d", "500ms");
			lifetimesConsistent(D + "refresh.", this.defaultDefaultLifetime, this.defaultMaxLifetime, null, null);
			if (chance(this.in, 5)) {
				String jitter = choose(List.of("0.2"), "1.5", "x");
				set(D + "refresh.jitter", jitter, !jitter.equals("0.2"));
			}
		}

		/**
		 * Draws a provider's properties.
		 * @return whether its application token can be had once started (a password grant has a user of its own)
		 */
		private boolean provider(String name, Kind kind) {
			String p = P + name + ".";
			String ownClientAuthentication = null;
			// type
			if (kind == Kind.CLIENT_CREDENTIALS || kind == Kind.PASSWORD) {
				String type = pick(this.in, null, "oauth2", "OAUTH2", null, mistake(100) ? "keycloak" : null);
				if (type != null) {
					set(p + "type", type, type.equals("keycloak"));
				}
			}
			else {
				set(p + "type", (kind == Kind.WSO2) ? "wso2" : "nomba", false);
			}
			boolean nomba = kind == Kind.NOMBA;
			// base-url, and Nomba's endpoints under it
			String baseUrl = null;
			if (nomba) {
				if (!mistake(8)) {
					baseUrl = this.stub;
					set(p + "base-url", baseUrl, false);
				}
				else {
					this.bound.add(p + "base-url");
				}
			}
			else if (chance(this.in, 45)) {
				baseUrl = !mistake(15) ? this.stub : pick(this.in, "/relative", "ftp://api.example.com", "api");
				set(p + "base-url", baseUrl, !baseUrl.equals(this.stub));
			}
			// token endpoint
			String tokenUri = null;
			boolean duplicateClient = !nomba && this.previousClient != null && chance(this.in, 10);
			boolean noTokenUri = false;
			boolean issuer = false;
			if (duplicateClient) {
				tokenUri = this.previousTokenUri;
				set(p + "token-uri", tokenUri, false);
			}
			else if (!nomba) {
				int choice = mistake(20) ? pick(this.in, 1, 2) : 0;
				if (choice == 0) {
					tokenUri = this.stub + "/token";
					set(p + "token-uri", tokenUri, false);
				}
				else if (choice == 1) {
					String invalid = pick(this.in, "not a url", "ftp://auth.example.com/t", "/token", "http://", "");
					set(p + "token-uri", invalid, true);
					noTokenUri = invalid.isEmpty();
				}
				else {
					this.bound.add(p + "token-uri");
					noTokenUri = true;
				}
			}
			else if (baseUrl != null) {
				tokenUri = baseUrl + NombaDialect.ISSUE_PATH;
			}
			if (mistake(4)) {
				issuer = true;
				set(p + "issuer-uri", pick(this.in, "realms/x", "ftp://issuer.example.com"), true);
				// With an issuer-uri, no token-uri is what is expected: the endpoint would be discovered.
				if (noTokenUri) {
					this.bound.remove(p + "token-uri");
				}
			}
			// client
			String clientId = duplicateClient ? this.previousClient : "id-" + name;
			if (!mistake(8)) {
				set(p + "client-id", clientId, false);
			}
			else {
				clientId = null;
				String blank = pick(this.in, null, "", " ");
				if (blank != null) {
					set(p + "client-id", blank, true);
				}
				else {
					this.bound.add(p + "client-id");
				}
			}
			if (chance(this.in, 20)) {
				ownClientAuthentication = choose(List.of("client_secret_post", "client_secret_basic"), "tls_client_auth",
						"client_secret_header");
				set(p + "client-authentication", ownClientAuthentication,
						ownClientAuthentication.equals("client_secret_header"));
				if (ownClientAuthentication.equals("client_secret_header")) {
					ownClientAuthentication = null;
				}
			}
			String clientAuthentication = nomba ? "client_secret_post"
					: (ownClientAuthentication != null) ? ownClientAuthentication
							: (this.defaultClientAuthentication != null) ? this.defaultClientAuthentication
									: "client_secret_basic";
			boolean tls = clientAuthentication.equals("tls_client_auth");
			int secret = mistake(16) ? pick(this.in, 1, 2, 3) : 0;
			switch (secret) {
				case 0 -> set(p + "client-secret", SECRET_MARK + "-" + name + "-value", false);
				case 1 -> set(p + "client-secret", "${TOKEN_FUZZ_UNSET_" + name.toUpperCase().replace('-', '_') + "}",
						true);
				case 2 -> set(p + "client-secret", "", !tls);
				default -> {
					if (!tls) {
						this.bound.add(p + "client-secret");
					}
				}
			}
			if (tls) {
				String bundle = pick(this.in, null, "", "missing-bundle");
				if (bundle == null) {
					this.bound.add(p + "ssl-bundle");
				}
				else {
					set(p + "ssl-bundle", bundle, false);
					(bundle.isEmpty() ? this.bound : this.built).add(p + "ssl-bundle");
				}
			}
			else if (mistake(4)) {
				String bundle = pick(this.in, "", "missing-bundle");
				set(p + "ssl-bundle", bundle, false);
				(bundle.isEmpty() ? this.bound : this.built).add(p + "ssl-bundle");
			}
			// grant and its user
			String grant = switch (kind) {
				case CLIENT_CREDENTIALS -> pick(this.in, null, "client_credentials", null, mistake(100) ? "implicit" : null);
				case PASSWORD -> "password";
				case WSO2 -> pick(this.in, null, "password");
				case NOMBA -> pick(this.in, null, "client_credentials", null, null, mistake(100) ? "password" : null);
			};
			if (grant != null) {
				set(p + "grant-type", grant, grant.equals("implicit") || (nomba && grant.equals("password")));
			}
			boolean password = kind == Kind.PASSWORD || kind == Kind.WSO2 || "password".equals(grant);
			boolean applicationUser = true;
			if (password) {
				// Both or neither: without a user of its own, the provider serves users who sign in themselves.
				UserSetting username = userSetting();
				UserSetting userPassword = userSetting();
				boolean ownUser = username != UserSetting.ABSENT || userPassword != UserSetting.ABSENT;
				applicationUser = ownUser;
				user(p + "username", "user-" + name, username, ownUser);
				user(p + "password", SECRET_MARK + "-password-" + name, userPassword, ownUser);
			}
			else if (mistake(4)) {
				set(p + "username", "stray", true);
			}
			// Nomba's account
			if (nomba) {
				if (!mistake(8)) {
					set(p + "account-id", "account-" + name, false);
				}
				else {
					this.bound.add(p + "account-id");
				}
				if (baseUrl != null && chance(this.in, 20)) {
					String environment = choose(List.of("sandbox", "production"), "staging");
					set(p + "nomba-environment", environment, environment.equals("staging"));
				}
			}
			else if (mistake(3)) {
				set(p + pick(this.in, "account-id", "nomba-environment"), "sandbox", false);
				this.bound.add(p + "type");
			}
			// other endpoints
			for (String endpoint : List.of("revoke-uri", "refresh-uri")) {
				if (chance(this.in, 15)) {
					String uri = !mistake(30) ? this.stub + "/" + endpoint : "mailto:ops@example.com";
					set(p + endpoint, uri, !uri.startsWith(this.stub));
				}
			}
			// what every provider may set
			if (chance(this.in, 25)) {
				String scopes = choose(List.of("read,write", "read"), "a b", "quote\"d", "caf\u00e9");
				set(p + "scopes", scopes, !scopes.startsWith("read"));
			}
			if (chance(this.in, 12)) {
				String value = choose(List.of("t1", "caf\u00e9"), "a\r\nInjected: yes");
				set(p + "headers.X-Tenant", value, value.indexOf('\n') >= 0);
			}
			if (chance(this.in, 10)) {
				set(p + "parameters.resource", "https://api.example.com", false);
			}
			if (chance(this.in, 8)) {
				set(p + "audience", "https://api.example.com", false);
			}
			String ownSessions = null;
			if (chance(this.in, 10)) {
				ownSessions = choose(List.of("multiple", "single"), "one");
				set(p + "sessions", ownSessions, ownSessions.equals("one"));
				if (ownSessions.equals("one")) {
					ownSessions = null;
				}
			}
			if (chance(this.in, 8)) {
				String statuses = choose(List.of("401,403", "401"), "200", "abc");
				set(p + "unauthorized-statuses", statuses, !statuses.startsWith("401"));
			}
			if (chance(this.in, 8)) {
				String attempts = choose(List.of("2"), "0", "x");
				set(p + "retry.max-attempts", attempts, !attempts.equals("2"));
			}
			if (chance(this.in, 6)) {
				String margin = choose(List.of("5s"), "-5s", "soon");
				set(p + "refresh.expiry-margin", margin, !margin.equals("5s"));
			}
			if (chance(this.in, 5)) {
				String ratio = choose(List.of("0.5"), "0", "1.5");
				set(p + "refresh.refresh-ahead-ratio", ratio, !ratio.equals("0.5"));
			}
			Duration defaultLifetime = lifetime(p + "refresh.default-lifetime", "2m", "1h", "60d");
			Duration maxLifetime = lifetime(p + "refresh.max-lifetime", "1h", "30d", "500ms");
			if (defaultLifetime != null || maxLifetime != null) {
				lifetimesConsistent(p + "refresh.", defaultLifetime, maxLifetime, this.defaultDefaultLifetime,
						this.defaultMaxLifetime);
			}
			if (mistake(4)) {
				set(p + pick(this.in, "client-secert", "scope", "retry.max-atempts"), "x", true);
			}
			// A second entry of one client at one token endpoint: each would end the other's single session.
			String sessions = (ownSessions != null) ? ownSessions
					: (this.defaultSessions != null) ? this.defaultSessions
							: (kind == Kind.CLIENT_CREDENTIALS || kind == Kind.PASSWORD) ? "multiple" : "single";
			boolean single = sessions.equals("single");
			if (duplicateClient && clientId != null && (single || this.previousSingle)) {
				this.bound.add(p + "client-id");
			}
			if (!nomba && !duplicateClient && tokenUri != null && clientId != null && !issuer) {
				this.previousClient = clientId;
				this.previousTokenUri = tokenUri;
				this.previousSingle = single;
			}
			return applicationUser;
		}

		private UserSetting userSetting() {
			if (!mistake(8)) {
				return UserSetting.SET;
			}
			return chance(this.in, 50) ? UserSetting.EMPTY : UserSetting.ABSENT;
		}

		/**
		 * Sets a password-grant user's property as drawn: missing is wrong only when the other one is there.
		 */
		private void user(String property, String value, UserSetting setting, boolean ownUser) {
			switch (setting) {
				case SET -> set(property, value, false);
				case EMPTY -> set(property, "", true);
				case ABSENT -> {
					if (ownUser) {
						this.bound.add(property);
					}
				}
			}
		}

		/**
		 * Draws a lifetime setting: absent, one of the values, the last only in a careless set (it is wrong by
		 * itself or with the others).
		 */
		private @Nullable Duration lifetime(String property, String... values) {
			if (!chance(this.in, 12)) {
				return null;
			}
			String value = pick(this.in, this.careful ? Arrays.copyOf(values, values.length - 1) : values);
			Duration duration = parse(value);
			set(property, value, duration.compareTo(Duration.ofSeconds(1)) < 0);
			return duration;
		}

		private static Duration parse(String value) {
			if (value.endsWith("ms")) {
				return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
			}
			long amount = Long.parseLong(value.substring(0, value.length() - 1));
			return switch (value.charAt(value.length() - 1)) {
				case 'm' -> Duration.ofMinutes(amount);
				case 'h' -> Duration.ofHours(amount);
				default -> Duration.ofDays(amount);
			};
		}

		/**
		 * The validator's rule: the default lifetime no longer than the maximum, the one set here named.
		 */
		private void lifetimesConsistent(String prefix, @Nullable Duration ownDefault, @Nullable Duration ownMax,
				@Nullable Duration inheritedDefault, @Nullable Duration inheritedMax) {
			Duration defaultLifetime = (ownDefault != null) ? ownDefault
					: (inheritedDefault != null) ? inheritedDefault : BUILT_IN_DEFAULT_LIFETIME;
			Duration maxLifetime = (ownMax != null) ? ownMax : (inheritedMax != null) ? inheritedMax : BUILT_IN_MAX_LIFETIME;
			if (defaultLifetime.compareTo(maxLifetime) > 0) {
				this.bound.add(prefix + ((ownDefault != null) ? "default-lifetime" : "max-lifetime"));
			}
		}

		private void set(String property, String value, boolean wrong) {
			this.properties.add(property + "=" + value);
			if (wrong) {
				this.bound.add(property);
			}
		}

	}

}
