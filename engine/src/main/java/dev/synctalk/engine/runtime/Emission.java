package dev.synctalk.engine.runtime;

import dev.synctalk.engine.stage.Indexed;

/** One output of a stage: which port it leaves on and the message. */
public record Emission(String port, Indexed message) {
}
