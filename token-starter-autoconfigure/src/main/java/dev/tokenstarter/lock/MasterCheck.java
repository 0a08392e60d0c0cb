package dev.tokenstarter.lock;

import reactor.core.publisher.Mono;

/**
 * Whether the Redis server that has just granted a fleet lock is the master the fleet uses. Where one master can
 * be replaced by another while both run (a planned Sentinel switchover), instances learn of the new master each
 * at its own time, and the old one keeps accepting writes until it is turned into a replica: a lock granted there
 * stands beside a second lock on the new master, and what is written there is lost.
 */
@FunctionalInterface
public interface MasterCheck {

	/**
	 * For a server that alone holds its keys: a single server, or a Redis Cluster, which redirects writes to the
	 * master of their slot.
	 */
	MasterCheck NONE = (runId) -> Mono.just(true);

	/**
	 * Confirms a server as the master.
	 * @param runId the {@code run_id} of the server that granted the lock
	 * @return whether the lock can be relied on; false while the master is being replaced
	 */
	Mono<Boolean> isMaster(String runId);

}
