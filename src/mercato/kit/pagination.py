"""The list shape every service answers (API.md): `?page&limit` in, a page object out."""

from __future__ import annotations

from math import ceil
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")

PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
PageLimit = Annotated[int, Query(ge=1, le=100)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    limit: int
    pages: int

    @classmethod
    def of(cls, items: list[T], total: int, page: int, limit: int) -> Page[T]:
        return cls(items=items, total=total, page=page, limit=limit, pages=ceil(total / limit))


def offset(page: int, limit: int) -> int:
    return (page - 1) * limit
