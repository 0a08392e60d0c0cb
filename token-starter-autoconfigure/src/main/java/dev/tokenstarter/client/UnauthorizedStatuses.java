package dev.tokenstarter.client;

import java.util.Set;

/**
 * The HTTP statuses that mean an API rejected its token, checked on every response without boxing the status.
 */
final class UnauthorizedStatuses {

	private final boolean[] rejected = new boolean[600];

	private UnauthorizedStatuses(Set<Integer> statuses) {
		statuses.forEach((status) -> this.rejected[status] = true);
	}

	static UnauthorizedStatuses of(Set<Integer> statuses) {
		return new UnauthorizedStatuses(statuses);
	}

	boolean contains(int status) {
		return status >= 0 && status < this.rejected.length && this.rejected[status];
	}

}
