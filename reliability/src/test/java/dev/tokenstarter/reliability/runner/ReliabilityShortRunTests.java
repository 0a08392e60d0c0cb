package dev.tokenstarter.reliability.runner;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short form of the reliability run, part of every {@code verify}: all eight experiments on separate JVMs and
 * real Redis processes, with fewer callers and shorter lifetimes and outages than {@code run.sh}; any failed
 * verdict fails the build.
 */
class ReliabilityShortRunTests {

	@Test
	void everyExperimentHoldsInItsShortForm() throws Exception {
		Harness harness = new Harness(Scale.SHORT, ReliabilityRunner.classpath(),
				Path.of(System.getProperty("reliability.output", "target/reliability")), false);
		List<Result> results = ReliabilityRunner.run(harness, Set.of(), System.out::println);
		assertThat(results).hasSize(ReliabilityRunner.EXPERIMENTS.size())
			.allSatisfy((result) -> assertThat(result.pass()).as(result.line()).isTrue());
	}

}
