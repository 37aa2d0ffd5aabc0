"""Discord front end for newsqa. It holds no retrieval logic: it calls `retrieval.Pipeline`."""
