// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.springapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring Boot web application, as a team has it: nothing of daemonrunner in it. {@code GET /} answers
 * {@code hello from spring}; when the context closes (Spring's graceful shutdown, on SIGTERM), it writes
 * {@code closed} to the file {@code --marker.file=PATH} names, if any.
 */
@SpringBootApplication
@RestController
public class GreetingApplication {
    @Value("${marker.file:}")
    private String markerFile;

    public static void main(String[] args) {
        SpringApplication.run(GreetingApplication.class, args);
    }

    @GetMapping("/")
    public String hello() {
        return "hello from spring\n";
    }

    @EventListener
    public void closed(ContextClosedEvent event) {
        if (!markerFile.isEmpty()) {
            try {
                Files.writeString(Path.of(markerFile), "closed\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
