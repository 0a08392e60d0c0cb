package dev.tokenstarter.test;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Counts the live objects of the heap by class, from the JVM's class histogram (HotSpot's
 * {@code GC.class_histogram}, which collects garbage first), to show what a run of calls leaves behind.
 */
public final class LiveHeap {

	private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");

	/**
	 * The histogram as the JVM wrote it: one string, so that holding a count adds nothing to the next one.
	 */
	private final String histogram;

	private LiveHeap(String histogram) {
		this.histogram = histogram;
	}

	/**
	 * Collects garbage and counts what is left, by class.
	 */
	public static LiveHeap count() {
		String histogram;
		try {
			histogram = (String) ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
						new Object[] { new String[0] }, new String[] { String[].class.getName() });
		}
		catch (JMException ex) {
			throw new IllegalStateException("This JVM gives no class histogram (a HotSpot diagnostic command)", ex);
		}
		return new LiveHeap(histogram);
	}

	/**
	 * Returns the classes that have at least {@code threshold} more live instances now than in {@code before},
	 * with how many more.
	 * @param before an earlier count
	 * @param threshold the smallest growth reported
	 * @return the classes that grew that much, by name
	 */
	public Map<String, Long> grownSince(LiveHeap before, long threshold) {
		Map<String, Long> earlier = before.instances();
		Map<String, Long> grown = new TreeMap<>();
		instances().forEach((type, count) -> {
			long growth = count - earlier.getOrDefault(type, 0L);
			if (growth >= threshold) {
				grown.put(type, growth);
			}
		});
		return grown;
	}

	private Map<String, Long> instances() {
		Map<String, Long> instances = new HashMap<>();
		this.histogram.lines()
			.map(ROW::matcher)
			.filter(Matcher::find)
			.forEach((row) -> instances.put(row.group(2), Long.parseLong(row.group(1))));
		return instances;
	}

}
