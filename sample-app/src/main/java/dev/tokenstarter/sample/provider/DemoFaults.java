package dev.tokenstarter.sample.provider;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The failure the demo provider's token endpoints are told to show: none, 503 on every token request, or slow
 * answers. The demo API is never affected, so tokens already held keep working while the token endpoints fail.
 */
public class DemoFaults {

	private final Duration slowDelay;

	private volatile Mode mode = Mode.NORMAL;

	public DemoFaults(Duration slowDelay) {
		this.slowDelay = slowDelay;
	}

	public void set(Mode mode) {
		this.mode = mode;
	}

	public Mode mode() {
		return this.mode;
	}

	/**
	 * Answers a token request as the current mode says: the normal answer, a 503, or the normal answer late.
	 */
	public Mono<ServerResponse> apply(Mono<ServerResponse> answer) {
		return switch (this.mode) {
			case NORMAL -> answer;
			case FAILING -> ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"error\":\"temporarily_unavailable\",\"error_description\":\"demo provider told to fail\"}");
			case SLOW -> Mono.delay(this.slowDelay).then(answer);
		};
	}

	/**
	 * What the token endpoints do.
	 */
	public enum Mode {

		NORMAL, FAILING, SLOW

	}

}
