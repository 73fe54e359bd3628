"""Operations: health probes, request logging, personal-data log filter, Prometheus collectors."""
