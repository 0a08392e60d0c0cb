package dev.tokenstarter.sample.caller;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.ResponseEntity;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;

/**
 * The demo provider's API as an application writes it: an HTTP interface and no client code.
 * {@link HelloApiGroups} imports it in the group named after the provider whose token it needs; the token
 * starter gives that group the provider's {@code base-url}, token, API headers and 401 retry.
 */
@HttpExchange("/api")
public interface HelloApi {

	@GetExchange("/hello")
	Mono<ResponseEntity<Map<String, Object>>> hello();

}
