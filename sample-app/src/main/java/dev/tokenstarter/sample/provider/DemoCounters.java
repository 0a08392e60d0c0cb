package dev.tokenstarter.sample.provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the demo provider did, per dialect: the numbers that show how few token requests the starter makes.
 */
public class DemoCounters {

	private final Map<String, Dialect> dialects = new ConcurrentHashMap<>();

	private final Map<String, User> users = new ConcurrentHashMap<>();

	public Dialect of(String dialect) {
		return this.dialects.computeIfAbsent(dialect, (name) -> new Dialect());
	}

	/**
	 * Returns the counts of a user signed in with the user's own password.
	 */
	public User user(String user) {
		return this.users.computeIfAbsent(user, (name) -> new User());
	}

	/**
	 * Returns the counts per user, users sorted by name.
	 */
	public Map<String, Map<String, Long>> users() {
		Map<String, Map<String, Long>> snapshot = new LinkedHashMap<>();
		this.users.keySet().stream().sorted().forEach((name) -> snapshot.put(name, this.users.get(name).snapshot()));
		return snapshot;
	}

	/**
	 * Returns the counts per dialect, dialects sorted by name.
	 */
	public Map<String, Map<String, Long>> snapshot() {
		Map<String, Map<String, Long>> snapshot = new LinkedHashMap<>();
		this.dialects.keySet().stream().sorted().forEach((name) -> snapshot.put(name, this.dialects.get(name).snapshot()));
		return snapshot;
	}

	/**
	 * The counts of one dialect.
	 */
	public static final class Dialect {

		private final AtomicLong issued = new AtomicLong();

		private final AtomicLong refreshed = new AtomicLong();

		private final AtomicLong revoked = new AtomicLong();

		private final AtomicLong apiCalls = new AtomicLong();

		private final AtomicLong apiRejected = new AtomicLong();

		void issued() {
			this.issued.incrementAndGet();
		}

		void refreshed() {
			this.refreshed.incrementAndGet();
		}

		void revoked() {
			this.revoked.incrementAndGet();
		}

		long apiCall() {
			return this.apiCalls.incrementAndGet();
		}

		void apiRejected() {
			this.apiRejected.incrementAndGet();
		}

		Map<String, Long> snapshot() {
			Map<String, Long> snapshot = new LinkedHashMap<>();
			snapshot.put("tokensIssued", this.issued.get());
			snapshot.put("tokensRefreshed", this.refreshed.get());
			snapshot.put("tokensRevoked", this.revoked.get());
			snapshot.put("apiCalls", this.apiCalls.get());
			snapshot.put("apiRejected", this.apiRejected.get());
			return snapshot;
		}

	}

	/**
	 * The counts of one user: the sign-ins the provider answered, the refreshes of the user's tokens, the tokens
	 * revoked and the API calls made with them.
	 */
	public static final class User {

		private final AtomicLong signIns = new AtomicLong();

		private final AtomicLong refreshed = new AtomicLong();

		private final AtomicLong revoked = new AtomicLong();

		private final AtomicLong apiCalls = new AtomicLong();

		void signedIn() {
			this.signIns.incrementAndGet();
		}

		void refreshed() {
			this.refreshed.incrementAndGet();
		}

		void revoked() {
			this.revoked.incrementAndGet();
		}

		void apiCall() {
			this.apiCalls.incrementAndGet();
		}

		Map<String, Long> snapshot() {
			Map<String, Long> snapshot = new LinkedHashMap<>();
			snapshot.put("signIns", this.signIns.get());
			snapshot.put("tokensRefreshed", this.refreshed.get());
			snapshot.put("tokensRevoked", this.revoked.get());
			snapshot.put("apiCalls", this.apiCalls.get());
			return snapshot;
		}

	}

}
