package dev.tokenstarter.sample.status;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The recent token events the status page lists under each provider.
 */
@RestController
class StatusController {

	private final RecentTokenEvents events;

	StatusController(RecentTokenEvents events) {
		this.events = events;
	}

	@GetMapping("/status/events")
	Map<String, List<RecentTokenEvents.Event>> events() {
		return this.events.recent();
	}

}
