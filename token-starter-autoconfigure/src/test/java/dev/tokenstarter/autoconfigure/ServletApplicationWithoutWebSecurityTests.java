package dev.tokenstarter.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import dev.tokenstarter.client.TokenClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adding the starter to a servlet web application does not switch on Spring Security's web protection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "token.providers.acme.token-uri=https://auth.example.com/token",
				"token.providers.acme.client-id=id", "token.providers.acme.client-secret=secret" })
@ExtendWith(OutputCaptureExtension.class)
class ServletApplicationWithoutWebSecurityTests {

	@LocalServerPort
	private int port;

	@Autowired
	private TokenClients tokenClients;

	@Test
	void openEndpointStaysOpenAndNoPasswordIsGenerated(CapturedOutput output) {
		ResponseEntity<String> response = RestClient.create()
			.get()
			.uri("http://localhost:" + this.port + "/hello")
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getBody()).isEqualTo("hello");
		assertThat(this.tokenClients).isNotNull();
		assertThat(output).doesNotContain("Using generated security password");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class HelloApplication {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

	}

}
