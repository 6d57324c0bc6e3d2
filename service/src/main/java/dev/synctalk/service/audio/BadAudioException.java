package dev.synctalk.service.audio;

/** Audio a client sent that the service cannot take; the message names the cause and what is expected. */
public final class BadAudioException extends IllegalArgumentException {
    public BadAudioException(String message) {
        super(message);
    }
}
