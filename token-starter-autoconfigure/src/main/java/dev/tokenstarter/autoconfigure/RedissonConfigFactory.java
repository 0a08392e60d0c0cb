package dev.tokenstarter.autoconfigure;

import java.util.List;

import org.redisson.config.BaseConfig;
import org.redisson.config.Config;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;

import dev.tokenstarter.config.TokenProperties;

/**
 * Builds Redisson's configuration from Spring Boot's {@code spring.data.redis.*} connection details (URL or
 * host and port, credentials, database, SSL and SSL bundle, Sentinel, Cluster), so one Redis configuration drives
 * both Spring Data Redis and the token store. Redisson's own starter is not used because it would replace
 * Spring Boot's Lettuce connection factory.
 */
final class RedissonConfigFactory {

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
		String scheme = (properties.getSsl().isEnabled() || bundle != null
				|| (properties.getUrl() != null && properties.getUrl().startsWith("rediss:"))) ? "rediss://"
						: "redis://";
		DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
		DataRedisConnectionDetails.Cluster cluster = details.getCluster();
		if (sentinel != null) {
			applyCommon(config.useSentinelServers()
				.setMasterName(sentinel.getMaster())
				.setDatabase(sentinel.getDatabase())
				.setSentinelUsername(sentinel.getUsername())
				.setSentinelPassword(sentinel.getPassword())
				.setCheckSentinelsList(false)
				.addSentinelAddress(addresses(scheme, sentinel.getNodes())), redis);
		}
		else if (cluster != null) {
			applyCommon(config.useClusterServers().addNodeAddress(addresses(scheme, cluster.getNodes())), redis);
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

	private static String[] addresses(String scheme, List<DataRedisConnectionDetails.Node> nodes) {
		return nodes.stream().map((node) -> scheme + node.host() + ":" + node.port()).toArray(String[]::new);
	}

	private static void applyCommon(BaseConfig<?> server, TokenProperties.Redis redis) {
		int timeout = (int) redis.getTimeout().toMillis();
		server.setTimeout(timeout);
		server.setConnectTimeout(timeout);
		server.setRetryAttempts(1);
	}

}
