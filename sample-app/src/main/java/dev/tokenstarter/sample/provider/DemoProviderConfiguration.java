package dev.tokenstarter.sample.provider;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The demo provider, when {@code demo.provider.enabled} is true (the demo profile sets it). Its parts are not
 * Spring beans of the application: they belong to the provider's own little server.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DemoProviderProperties.class)
@ConditionalOnBooleanProperty("demo.provider.enabled")
public class DemoProviderConfiguration {

	@Bean
	DemoProviderServer demoProviderServer(DemoProviderProperties properties) {
		DemoCounters counters = new DemoCounters();
		DemoTokens tokens = new DemoTokens(counters, properties.getTokenLifetime(),
				properties.getRefreshTokenLifetime(), Clock.systemUTC());
		DemoFaults faults = new DemoFaults(properties.getSlowDelay());
		return new DemoProviderServer(new NombaDialect(tokens, faults).routes()
			.and(new PagstarDialect(tokens, faults).routes())
			.and(new Wso2Dialect(tokens, faults, properties.getUsers()).routes())
			.and(new DemoApi(tokens, counters).routes())
			.and(new DemoControl(tokens, faults, counters).routes()), properties.getPort());
	}

}
