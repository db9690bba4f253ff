// SPDX-License-Identifier: Apache-2.0
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
 * @param unitType {@code --type}: the systemd unit's {@code Type=}, {@code notify} (the default) or {@code forking}
 * @param networkOnline {@code --network-online}: the unit waits for {@code network-online.target}
 */
public record ParsedCommand(Action action, Optional<Duration> timeout, boolean force, boolean json, String unitType,
                            boolean networkOnline) {
    /** The action with every option at its default ({@code force} for {@code force-stop}). */
    public static ParsedCommand of(Action action) {
        return new ParsedCommand(action, Optional.empty(), action == Action.FORCE_STOP, false, "notify", false);
    }
}
