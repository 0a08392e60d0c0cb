package dev.tokenstarter.sample.caller;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * Nomba's API through an HTTP interface: the group is named after the provider, which is all the token starter
 * needs. {@code WebClient}-backed, as this application is reactive.
 */
@Configuration(proxyBeanMethods = false)
@ImportHttpServices(group = "nomba", types = HelloApi.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
public class HelloApiGroups {

}
