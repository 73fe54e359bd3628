"""A Redis cache that degrades to "no cache" while Redis is down, so pages keep working.

Django's RedisCache raises on a lost connection; everything we cache can be recomputed, so a
miss (and a warning in the log) is the right answer instead of an error page.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError)


def _degrade(default_factory):
    def wrap(method):
        def inner(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except DOWN as exc:
                logger.warning("cache unavailable (%s): %s", type(exc).__name__, method.__name__)
                return default_factory()

        return inner

    return wrap


class ResilientRedisCache(RedisCache):
    get = _degrade(lambda: None)(RedisCache.get)
    get_many = _degrade(dict)(RedisCache.get_many)
    set = _degrade(lambda: None)(RedisCache.set)
    set_many = _degrade(list)(RedisCache.set_many)
    add = _degrade(lambda: False)(RedisCache.add)
    delete = _degrade(lambda: False)(RedisCache.delete)
    delete_many = _degrade(lambda: None)(RedisCache.delete_many)
    has_key = _degrade(lambda: False)(RedisCache.has_key)
    touch = _degrade(lambda: False)(RedisCache.touch)
