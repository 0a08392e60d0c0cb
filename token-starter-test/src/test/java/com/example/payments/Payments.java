package com.example.payments;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;

@HttpExchange("/v1/payments")
public interface Payments {

	@GetExchange("/{id}")
	String get(@PathVariable String id);

}
