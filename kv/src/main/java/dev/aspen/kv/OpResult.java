package dev.aspen.kv;

/** The result of one operation; each result says which revision it reflects. */
public sealed interface OpResult permits PutResponse, GetResponse, DeleteResponse, ScanResponse {
    /** The store revision this result reflects. */
    long revision();
}
