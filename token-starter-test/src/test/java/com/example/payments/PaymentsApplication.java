package com.example.payments;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.registry.ImportHttpServices;

import dev.tokenstarter.client.TokenClients;

/**
 * An application as README's Quick start writes it: an HTTP interface for the payments API, and the same API
 * through a {@code WebClient} and a {@code RestClient}; Nomba and WSO2 APIs beside it.
 */
@SpringBootApplication
@ImportHttpServices(group = "payments", types = Payments.class)
public class PaymentsApplication {

	@Bean
	WebClient paymentsWebClient(TokenClients clients) {
		return clients.webClient("payments");
	}

	@Bean
	RestClient paymentsRestClient(TokenClients clients) {
		return clients.restClient("payments");
	}

	@Bean
	WebClient nombaWebClient(TokenClients clients) {
		return clients.webClient("nomba");
	}

	@Bean
	RestClient wso2RestClient(TokenClients clients) {
		return clients.restClient("wso2");
	}

	public static void main(String[] args) {
		SpringApplication.run(PaymentsApplication.class, args);
	}

}
