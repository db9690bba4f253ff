package org.daemonrunner.internal.runner;

import java.time.Duration;
import java.util.Optional;
import org.daemonrunner.Action;

/**
 * An action and the runner's options for it.
 *
 * @param action the action
 * @param timeout {@code --timeout}: how long {@code stop} waits after SIGTERM, overriding the app's
 * @param force {@code --force} (or {@code force-stop}): SIGKILL, after a thread dump, when the timeout passes
 * @param json {@code --json}: {@code status} prints one JSON object
 */
public record ParsedCommand(Action action, Optional<Duration> timeout, boolean force, boolean json) {
}
