package dev.tokenstarter.benchmarks.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How long the other instances took to show each renewed token (the cold-start token is left out: every
 * instance was waiting for it). Measured two ways, per other instance and token: from the provider issuing it,
 * and from the renewing instance showing it (its near cache takes the token right after saving it to Redis, so
 * this is close to save → change message → near cache).
 */
final class Propagation {

	private final Latencies fromIssue = new Latencies();

	private final Latencies fromRenewer = new Latencies();

	private int missed;

	static Propagation of(List<ProviderStub.Issue> issues, List<TokenWatcher.Sighting> sightings, int instances) {
		Propagation propagation = new Propagation();
		for (ProviderStub.Issue issue : issues.subList(Math.min(1, issues.size()), issues.size())) {
			long[] first = new long[instances];
			for (TokenWatcher.Sighting sighting : sightings) {
				if (sighting.token().equals(issue.token()) && first[sighting.instance()] == 0) {
					first[sighting.instance()] = sighting.nanos();
				}
			}
			propagation.add(issue, first);
		}
		return propagation;
	}

	private void add(ProviderStub.Issue issue, long[] first) {
		int renewer = -1;
		for (int i = 0; i < first.length; i++) {
			if (first[i] != 0 && (renewer < 0 || first[i] - first[renewer] < 0)) {
				renewer = i;
			}
		}
		for (int i = 0; i < first.length; i++) {
			if (i == renewer) {
				continue;
			}
			if (first[i] == 0) {
				this.missed++;
				continue;
			}
			this.fromIssue.add(first[i] - issue.issuedNanos());
			this.fromRenewer.add(first[i] - first[renewer]);
		}
	}

	Map<String, Object> summary() {
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("fromIssue", this.fromIssue.summary());
		summary.put("fromRenewer", this.fromRenewer.summary());
		summary.put("missed", this.missed);
		summary.put("pollMillis", TokenWatcher.POLL.toMillis());
		return summary;
	}

}
