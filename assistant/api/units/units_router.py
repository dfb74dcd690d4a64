"""GET /api/units and GET /api/units/{name}."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assistant.api.errors import COMMON_RESPONSES, ErrorResponse
from assistant.api.units.units_service import UnitDetail, UnitSummary, all_units, unit_detail

router = APIRouter(prefix="/api", tags=["成员单位"])


class UnitList(BaseModel):
    units: list[UnitSummary] = Field(description="工作专班的 21 个成员单位，按附件顺序")


@router.get("/units", response_model=UnitList, summary="成员单位列表", responses=COMMON_RESPONSES)
async def units() -> UnitList:
    return UnitList(units=all_units())


@router.get("/units/{name}", response_model=UnitDetail, summary="一个单位的职责",
            description="name 可以是正式名称或简称（如“财政局”“人社局”“教体局”）。返回附件中的职责（逐句原文）、"
                        "方案其他条款中提到该单位的句子，以及该单位的专班成员。",
            responses={**COMMON_RESPONSES, 404: {"model": ErrorResponse, "description": "没有这个单位"}})
async def unit(name: str, request: Request) -> UnitDetail:
    assistant = request.app.state.assistant
    return await request.app.state.workers.answer(unit_detail, assistant, name)
