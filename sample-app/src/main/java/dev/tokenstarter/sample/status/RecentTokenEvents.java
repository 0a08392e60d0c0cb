package dev.tokenstarter.sample.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.tokenstarter.engine.ManagedToken;
import dev.tokenstarter.engine.TokenObserver;
import dev.tokenstarter.grant.TokenAcquisitionException;

/**
 * Keeps the last token events of each provider for the status page: the starter's Actuator endpoint tells the
 * current state and counts, not the story. Holds no token value, only kinds, times and error codes.
 */
public class RecentTokenEvents implements TokenObserver {

	static final int KEPT_PER_PROVIDER = 12;

	private final Map<String, Deque<Event>> events = new ConcurrentHashMap<>();

	private final Clock clock;

	public RecentTokenEvents(Clock clock) {
		this.clock = clock;
	}

	@Override
	public void obtained(ManagedToken token, boolean ahead) {
		String provider = token.authorizedClient().getClientRegistration().getRegistrationId();
		Instant expiresAt = token.accessToken().getExpiresAt();
		String detail = (expiresAt != null)
				? "expires in " + Duration.between(this.clock.instant(), expiresAt).toSeconds() + " s" : "no expiry";
		add(provider, ahead ? "renewed ahead" : "obtained", detail);
	}

	@Override
	public void failed(TokenAcquisitionException failure) {
		add(failure.getProvider(), "failed", failure.getErrorCode());
	}

	@Override
	public void unauthorizedRetry(String provider, boolean success) {
		add(provider, "401 retry", success ? "accepted with a new token" : "rejected again");
	}

	/**
	 * Returns the kept events per provider, newest first.
	 */
	public Map<String, List<Event>> recent() {
		Map<String, List<Event>> recent = new LinkedHashMap<>();
		this.events.forEach((provider, kept) -> {
			synchronized (kept) {
				recent.put(provider, List.copyOf(kept));
			}
		});
		return recent;
	}

	private void add(String provider, String kind, String detail) {
		Deque<Event> kept = this.events.computeIfAbsent(provider, (name) -> new ArrayDeque<>());
		synchronized (kept) {
			kept.addFirst(new Event(this.clock.instant(), kind, detail));
			if (kept.size() > KEPT_PER_PROVIDER) {
				kept.removeLast();
			}
		}
	}

	/**
	 * One token event.
	 *
	 * @param at when it happened
	 * @param kind obtained, renewed ahead, failed or 401 retry
	 * @param detail lifetime, error code or retry outcome
	 */
	public record Event(Instant at, String kind, String detail) {

	}

}
