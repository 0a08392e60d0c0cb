package dev.tokenstarter.sample.caller;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenProperties;

/**
 * The API callers, when {@code demo.caller.enabled} is true (the demo profile sets it).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DemoCallerProperties.class)
@ConditionalOnBooleanProperty("demo.caller.enabled")
public class DemoCallerConfiguration {

	@Bean
	DemoApiCaller demoApiCaller(TokenClients clients, TokenProperties tokenProperties, DemoCallerProperties properties) {
		List<String> providers = properties.getProviders().isEmpty()
				? new ArrayList<>(tokenProperties.getProviders().keySet()) : properties.getProviders();
		return new DemoApiCaller(clients, providers, properties.getInterval(), properties.getPath());
	}

}
