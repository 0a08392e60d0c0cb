package dev.tokenstarter.sample.caller;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;

import dev.tokenstarter.client.TokenClients;
import dev.tokenstarter.config.TokenProperties;
import dev.tokenstarter.sample.caller.DemoApiCaller.ApiCall;

/**
 * The API callers, when {@code demo.caller.enabled} is true (the demo profile sets it): a provider with an HTTP
 * service group of its name ({@link HelloApiGroups}) is called through its {@link HelloApi} interface, the others
 * through a {@code WebClient} of {@link TokenClients}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DemoCallerProperties.class)
@ConditionalOnBooleanProperty("demo.caller.enabled")
public class DemoCallerConfiguration {

	@Bean
	DemoApiCaller demoApiCaller(TokenClients clients, HttpServiceProxyRegistry interfaces,
			TokenProperties tokenProperties, DemoCallerProperties properties) {
		List<String> providers = properties.getProviders().isEmpty()
				? new ArrayList<>(tokenProperties.getProviders().keySet()) : properties.getProviders();
		List<ApiCall> calls = new ArrayList<>();
		for (String provider : providers) {
			if (interfaces.getGroupNames().contains(provider)) {
				HelloApi api = interfaces.getClient(provider, HelloApi.class);
				calls.add(new ApiCall(provider, "GET /api/hello (HTTP interface)", api::hello));
			}
			else {
				WebClient webClient = clients.webClient(provider);
				String path = properties.getPath();
				calls.add(new ApiCall(provider, "GET " + path,
						() -> webClient.get().uri(path).retrieve().toBodilessEntity()));
			}
		}
		return new DemoApiCaller(calls, properties.getInterval());
	}

}
