package dev.tokenstarter.lock;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import dev.tokenstarter.test.RedisServer;
import dev.tokenstarter.test.SentinelTopology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sentinels' word on which server a lock may be relied on, against real sentinels (one master, one replica,
 * three sentinels), before, during and after a planned switchover.
 */
class SentinelMasterCheckTests {

	private static final String MASTER_NAME = "tokens";

	private SentinelTopology topology;

	private RedissonClient client;

	private SentinelMasterCheck check;

	@BeforeEach
	void start() {
		this.topology = SentinelTopology.start(MASTER_NAME, null);
		Config config = new Config();
		config.useSentinelServers()
			.setMasterName(MASTER_NAME)
			.setCheckSentinelsList(false)
			.addSentinelAddress(this.topology.sentinels()
				.stream()
				.map((sentinel) -> "redis://127.0.0.1:" + sentinel.port())
				.toArray(String[]::new));
		this.client = Redisson.create(config);
		this.check = new SentinelMasterCheck(this.client, MASTER_NAME, Duration.ofSeconds(2));
	}

	@AfterEach
	void stop() {
		this.client.shutdown();
		this.topology.close();
	}

	@Test
	void confirmsTheMasterAndRefusesItsReplica() {
		assertThat(isMaster(this.topology.master())).isTrue();
		assertThat(isMaster(this.topology.replica())).isFalse();
	}

	@Test
	void refusesTheOldMasterFromTheStartOfAPlannedSwitchoverAndConfirmsTheNewOne() {
		RedisServer oldMaster = this.topology.master();
		this.topology.failover();
		// Still running and taking writes: first the leading sentinel is failing it over, then every sentinel
		// lists it among the replicas.
		assertThat(isMaster(oldMaster)).isFalse();
		await().atMost(Duration.ofSeconds(20)).until(this.topology::replicaIsMaster);
		assertThat(isMaster(oldMaster)).isFalse();
		await().atMost(Duration.ofSeconds(20)).until(() -> isMaster(this.topology.replica()));
		assertThat(isMaster(oldMaster)).isFalse();
	}

	@Test
	void aDeadOldMasterListedAsReplicaStopsLocksOnlyUntilTheSentinelsGiveUpReachingIt() {
		this.topology.failover();
		this.topology.master().kill();
		await().atMost(Duration.ofSeconds(20)).until(this.topology::replicaIsMaster);
		// The sentinels hold the dead server down only after down-after-milliseconds (30 s here); until then
		// they list it, unreached and without a run id, among the replicas.
		await().atMost(Duration.ofSeconds(10)).until(() -> isMaster(this.topology.replica()));
	}

	@Test
	void sentinelsThatDoNotAnswerHaveNoSay() {
		this.topology.sentinels().forEach(RedisServer::kill);
		assertThat(isMaster(this.topology.replica())).isTrue();
	}

	private boolean isMaster(RedisServer server) {
		return this.check.isMaster(SentinelTopology.runId(server)).block(Duration.ofSeconds(10));
	}

}
