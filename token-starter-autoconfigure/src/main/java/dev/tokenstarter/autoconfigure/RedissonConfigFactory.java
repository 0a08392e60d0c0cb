package dev.tokenstarter.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.redisson.config.BaseConfig;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.ReplicatedServersConfig;
import org.redisson.config.SentinelServersConfig;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;

import dev.tokenstarter.config.TokenProperties;

/**
 * Builds Redisson's configuration from Spring Boot's {@code spring.data.redis.*} connection details (URL or
 * host and port, credentials, database, SSL and SSL bundle, Sentinel, Cluster), so one Redis configuration drives
 * both Spring Data Redis and the token store. Redisson's own starter is not used because it would replace
 * Spring Boot's Lettuce connection factory.
 *
 * <p>The store's timeout ({@code token.store.redis.timeout}) is the budget of every store and lock operation,
 * and Redisson's retries fill it: a command that cannot reach the master (it went down, a failover is under
 * way) is tried again at short intervals until it succeeds or the budget runs out, and Sentinel and Cluster
 * topologies are re-read often enough to find a new master within it. A failover that completes in time is then
 * ridden out instead of sending the instance to degraded mode.
 */
final class RedissonConfigFactory {

	/** Retries per timeout budget: frequent enough to reach a new master soon after it is known. */
	private static final int RETRIES_PER_TIMEOUT = 10;

	private static final Duration MIN_RETRY_DELAY = Duration.ofMillis(10);

	private static final Duration MAX_RETRY_DELAY = Duration.ofMillis(250);

	/** Topology reads per timeout budget, so a new master is found well within it. */
	private static final int TOPOLOGY_SCANS_PER_TIMEOUT = 4;

	private static final Duration MIN_SCAN_INTERVAL = Duration.ofMillis(100);

	private static final Duration MAX_SCAN_INTERVAL = Duration.ofSeconds(1);

	private RedissonConfigFactory() {
	}

	static Config create(DataRedisConnectionDetails details, DataRedisProperties properties,
			TokenProperties.Redis redis) {
		Config config = new Config();
		// Start even when Redis is down: the store falls back to this instance until Redis answers.
		config.setLazyInitialization(true);
		config.setThreads(2);
		config.setNettyThreads(4);
		config.setUsername(details.getUsername());
		config.setPassword(details.getPassword());
		SslBundle bundle = details.getSslBundle();
		if (bundle != null) {
			config.setSslTrustManagerFactory(bundle.getManagers().getTrustManagerFactory());
			config.setSslKeyManagerFactory(bundle.getManagers().getKeyManagerFactory());
		}
		// TLS exactly when Spring Boot's own client uses it: the connection details' bundle (which spring.data.redis
		// .ssl gives the details read from properties, and a service connection's own details may not) or a
		// rediss: URL.
		String scheme = (bundle != null || (properties.getUrl() != null && properties.getUrl().startsWith("rediss:")))
				? "rediss://" : "redis://";
		DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
		DataRedisConnectionDetails.Cluster cluster = details.getCluster();
		if (sentinel != null) {
			SentinelServersConfig servers = config.useSentinelServers()
				.setMasterName(sentinel.getMaster())
				.setDatabase(sentinel.getDatabase())
				.setSentinelUsername(sentinel.getUsername())
				.setSentinelPassword(sentinel.getPassword())
				.setCheckSentinelsList(false)
				// Redisson learns a new master by asking a sentinel at this interval (it does not listen
				// for +switch-master).
				.setScanInterval(scanInterval(redis.getTimeout()))
				.addSentinelAddress(addresses(scheme, sentinel.getNodes()));
			applyCommon(masterOnly(servers), redis);
		}
		else if (cluster != null) {
			ClusterServersConfig servers = config.useClusterServers()
				.setScanInterval(scanInterval(redis.getTimeout()))
				.addNodeAddress(addresses(scheme, cluster.getNodes()));
			applyCommon(masterOnly(servers), redis);
		}
		else if (details.getMasterReplica() != null) {
			// Redisson finds the master among the nodes by their role and follows a promotion, as Lettuce does.
			ReplicatedServersConfig servers = config.useReplicatedServers()
				.setDatabase(properties.getDatabase())
				.setScanInterval(scanInterval(redis.getTimeout()))
				.addNodeAddress(addresses(scheme, details.getMasterReplica().getNodes()));
			applyCommon(masterOnly(servers), redis);
		}
		else {
			DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
			applyCommon(config.useSingleServer()
				.setAddress(scheme + standalone.getHost() + ":" + standalone.getPort())
				.setDatabase(standalone.getDatabase())
				.setConnectionMinimumIdleSize(1)
				.setConnectionPoolSize(16)
				.setSubscriptionConnectionMinimumIdleSize(1)
				.setSubscriptionConnectionPoolSize(4), redis);
		}
		return config;
	}

	/**
	 * Everything on the masters. Replicas lag behind: an entry read there may be older than the one just written
	 * by compare-and-set, and a renewal that re-read it would use a refresh token already rotated. Connections
	 * are opened as needed: Redisson opens the minimum before it switches to a new master, so that minimum is
	 * kept small.
	 */
	private static <T extends BaseMasterSlaveServersConfig<T>> T masterOnly(T servers) {
		return servers.setReadMode(ReadMode.MASTER)
			.setMasterConnectionMinimumIdleSize(1)
			.setMasterConnectionPoolSize(16)
			.setSubscriptionConnectionMinimumIdleSize(1)
			.setSubscriptionConnectionPoolSize(4);
	}

	private static String[] addresses(String scheme, List<DataRedisConnectionDetails.Node> nodes) {
		return nodes.stream().map((node) -> scheme + node.host() + ":" + node.port()).toArray(String[]::new);
	}

	/**
	 * One attempt may take the whole budget (a slow answer is not retried early: Redisson would resend it, or,
	 * for a lock, fail it). Retries come at a constant short delay, as many as fit in the budget; the store and
	 * the lock end the operation when the budget is spent.
	 */
	private static void applyCommon(BaseConfig<?> server, TokenProperties.Redis redis) {
		Duration budget = redis.getTimeout();
		int timeout = (int) budget.toMillis();
		server.setTimeout(timeout);
		server.setConnectTimeout(timeout);
		Duration retryDelay = retryDelay(budget);
		server.setRetryDelay(new ConstantDelay(retryDelay));
		server.setRetryAttempts((int) Math.max(1, budget.toMillis() / retryDelay.toMillis()));
	}

	private static Duration retryDelay(Duration budget) {
		return clamp(budget.dividedBy(RETRIES_PER_TIMEOUT), MIN_RETRY_DELAY, MAX_RETRY_DELAY);
	}

	private static int scanInterval(Duration budget) {
		return (int) clamp(budget.dividedBy(TOPOLOGY_SCANS_PER_TIMEOUT), MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL)
			.toMillis();
	}

	private static Duration clamp(Duration value, Duration min, Duration max) {
		return (value.compareTo(min) < 0) ? min : (value.compareTo(max) > 0) ? max : value;
	}

}
