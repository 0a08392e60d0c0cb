package dev.tokenstarter.benchmarks.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import dev.tokenstarter.config.RefreshSettings;

/**
 * When the fleet was renewing its token, placed from what the provider recorded. The refresh window of token
 * <em>i</em> opens at the earliest point any instance can find it stale (its issue time plus its lifetime, less
 * the widest stale window the engine can draw: the window plus its full jitter) and closes when every instance
 * holds token <em>i + 1</em> (the last instance's first sighting of it), or at the end of the run if there is no
 * token <em>i + 1</em>. A call is inside a window if it started inside one: those are the calls that could meet
 * a renewal in progress, a stale token being replaced, or the change message arriving.
 */
final class RefreshWindows {

	private final List<long[]> windows;

	private RefreshWindows(List<long[]> windows) {
		this.windows = windows;
	}

	static RefreshWindows of(List<ProviderStub.Issue> issues, List<TokenWatcher.Sighting> sightings, int instances,
			Duration lifetime, Duration widestStaleWindow, long runEndNanos) {
		List<long[]> windows = new ArrayList<>();
		for (int i = 0; i < issues.size(); i++) {
			long opens = issues.get(i).issuedNanos() + lifetime.toNanos() - widestStaleWindow.toNanos();
			long closes = runEndNanos;
			if (i + 1 < issues.size()) {
				ProviderStub.Issue next = issues.get(i + 1);
				closes = heldByAll(next.token(), sightings, instances).orElse(runEndNanos);
			}
			windows.add(new long[] { opens, closes });
		}
		return new RefreshWindows(windows);
	}

	/**
	 * The widest stale window the engine can give a token of this lifetime, from its settings (see
	 * {@code RefreshPolicy}): a share of the lifetime, capped, no narrower than the expiry margin, plus its jitter.
	 */
	static Duration widestStaleWindow(RefreshSettings settings, Duration lifetime) {
		long millis = lifetime.toMillis();
		long margin = Math.min(settings.expiryMargin().toMillis(), millis / 10);
		long window = Math.max(margin,
				Math.min(settings.maxRefreshAhead().toMillis(), (long) (millis * settings.refreshAheadRatio())));
		return Duration.ofMillis(window + (long) (window * settings.jitter()));
	}

	/**
	 * When the last of the instances first showed the token; empty if one never did.
	 */
	static OptionalLong heldByAll(String token, List<TokenWatcher.Sighting> sightings, int instances) {
		long[] first = new long[instances];
		int seen = 0;
		for (TokenWatcher.Sighting sighting : sightings) {
			if (sighting.token().equals(token) && first[sighting.instance()] == 0) {
				first[sighting.instance()] = sighting.nanos();
				seen++;
			}
		}
		if (seen < instances) {
			return OptionalLong.empty();
		}
		long last = Long.MIN_VALUE;
		for (long nanos : first) {
			last = Math.max(last, nanos);
		}
		return OptionalLong.of(last);
	}

	boolean contains(long nanos) {
		for (long[] window : this.windows) {
			if (nanos - window[0] >= 0 && nanos - window[1] < 0) {
				return true;
			}
		}
		return false;
	}

	int count() {
		return this.windows.size();
	}

	/**
	 * Total time inside windows, for the report.
	 */
	Duration total() {
		long nanos = 0;
		for (long[] window : this.windows) {
			nanos += Math.max(0, window[1] - window[0]);
		}
		return Duration.ofNanos(nanos);
	}

}
