# ruff: noqa: S608 - the SQL is built from this module's constants and integers only; moments and the seed are parameters
"""The benchmark data set: a large dealer group after two years of use, written by PostgreSQL itself.

Every row is computed in SQL from its number and the seed (`hashint8extended`), with `INSERT ... SELECT
generate_series`, so the data set is the same on every run with the same seed, scale and day, and nothing crosses
the wire row by row. While loading, the non-unique indexes of the large tables are dropped and rebuilt afterwards,
and foreign-key triggers are off (`session_replication_role = replica`: every id is computed to exist).

Scale 1 is 50 dealers, 1,000,000 customers, 1,200,000 vehicles, 5,000,000 calls, 500,000 complaints over 24 months,
2,000,000 follow-up calls and 300,000 prospects, with their history rows. The data is in the steady state the
deadline sweep leaves: what is overdue was escalated or notified already (a first sweep runs at the end).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from cac import roles

BENCH_PASSWORD = "cac-bench-2026"  # noqa: S105 - the benchmark data set's users, never a real deployment's
USERS_PER_DEALER = 24  # 0 service manager, 1 sales manager, 2 director, 3..23 agents
FIRST_AGENT = 3
AGENTS_PER_DEALER = USERS_PER_DEALER - FIRST_AGENT

# The tables the data set fills, emptied first (children before parents is not needed with CASCADE).
TABLES = [
    "cac_dealer",
    "cac_user",
    "cac_customer",
    "cac_vehicle",
    "cac_calllog",
    "cac_sale",
    "cac_servicevisit",
    "cac_notification",
    "cac_smsmessage",
    "cac_historicalsmsmessage",
    "complaints_complaint",
    "complaints_escalation",
    "complaints_keyattentionvehicle",
    "callbacks_callback",
    "callbacks_callbackattempt",
    "prospects_prospect",
    "prospects_contactattempt",
    "prospects_campaign",
    "reports_monthlyreport",
    "cac_historicaluser",
    "cac_historicaldealer",
    "cac_historicalcustomer",
    "cac_historicalvehicle",
    "cac_historicalcalllog",
    "cac_historicalsale",
    "cac_historicalservicevisit",
    "complaints_historicalcomplaint",
    "complaints_historicalkeyattentionvehicle",
    "callbacks_historicalcallback",
    "prospects_historicalprospect",
    "django_session",
]
# Configuration that points to a dealer but whose group-wide rows (dealer NULL) are kept through the emptying.
KEPT_DEFAULTS = ["complaints_complaintsla", "callbacks_question", "cac_smstemplate"]
# Large tables whose non-unique indexes are rebuilt after the load rather than kept up row by row.
REBUILT = [
    "cac_customer",
    "cac_vehicle",
    "cac_calllog",
    "cac_sale",
    "cac_servicevisit",
    "complaints_complaint",
    "callbacks_callback",
    "callbacks_callbackattempt",
    "prospects_prospect",
    "cac_historicalcustomer",
    "cac_historicalvehicle",
    "complaints_historicalcomplaint",
    "callbacks_historicalcallback",
    "prospects_historicalprospect",
]
# (table, its history table, the moment the creation row is dated)
HISTORY = [
    ("cac_customer", "cac_historicalcustomer", "created_at"),
    ("cac_vehicle", "cac_historicalvehicle", "created_at"),
    ("complaints_complaint", "complaints_historicalcomplaint", "received_at"),
    ("callbacks_callback", "callbacks_historicalcallback", "created_at"),
    ("prospects_prospect", "prospects_historicalprospect", "created_at"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强建华海燕红梅玉兰晓东子涵浩然欣怡思远雨桐"
CITIES = [
    "广州",
    "深圳",
    "佛山",
    "东莞",
    "珠海",
    "中山",
    "惠州",
    "江门",
    "湛江",
    "汕头",
    "北京",
    "上海",
    "杭州",
    "南京",
]
MODELS = ["凯美瑞", "卡罗拉", "雷凌", "汉兰达", "RAV4荣放", "亚洲龙", "威兰达", "锋兰达", "赛那", "bZ4X"]
CALL_SUMMARIES = [
    "询问保养价格和预约时间",
    "咨询新车优惠和库存",
    "反映空调制冷效果差",
    "预约下周二上午保养",
    "询问保险续保报价",
    "投诉维修等待时间过长",
    "咨询二手车置换",
    "询问召回活动是否涉及本车",
    "回访满意，无其他意见",
    "询问贷款手续",
]
COMPLAINT_TEXTS = [
    "车辆行驶中异响，多次维修未解决",
    "保养后发现漏油，要求返修并赔偿",
    "交车时承诺的赠品至今未兑现",
    "服务顾问态度差，等待时间过长",
    "维修费用与报价不符",
    "配件缺货，等待超过两周",
    "发动机故障灯常亮",
    "空调异味，清洗后仍未改善",
    "变速箱换挡顿挫",
    "新车漆面有划痕，要求处理",
]
FAULTS = ["异响", "漏油", "发动机故障灯亮", "空调不制冷", "刹车抖动", "电瓶亏电", "换挡顿挫", "常规保养"]

# Weighted choices: a value listed several times is picked that much more often.
CHANNELS = (
    ["dealer_hotline"] * 8
    + ["oem_hotline"] * 3
    + ["walk_in"] * 3
    + ["service_follow_up"] * 2
    + ["sales_follow_up", "email", "oem_website", "csi_survey", "repair_rework", "letter", "internal_transfer"]
    + ["oem_quality_survey", "media", "regulator"]
)
CATEGORIES = (
    ["product_quality"] * 5
    + ["repair_quality"] * 4
    + ["service_attitude"] * 3
    + ["repair_cost"] * 2
    + ["purchase"] * 3
    + ["parts"] * 2
    + ["user_issue", "multiple", "other"]
)
SEVERITIES = ["normal"] * 94 + ["major"] * 5 + ["emergency"]
RESOLUTIONS = ["repair", "rework", "part_replacement", "explanation", "apology", "compensation", "exchange", "other"]
SOURCES = ["walk_in"] * 4 + ["phone"] * 3 + ["website"] * 3 + ["oem_lead"] * 2 + ["event", "referral", "other"]
GRADES = ["H", "A", "A", "B", "B", "B", "C", "C"]


@dataclass(frozen=True)
class Sizes:
    dealers: int
    customers: int
    vehicles: int
    calls: int
    complaints: int
    callbacks: int
    prospects: int
    sales: int
    service_visits: int

    @classmethod
    def for_scale(cls, scale: float) -> "Sizes":
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        customers = n(1_000_000, 100)
        return cls(
            dealers=n(50, 2),
            customers=customers,
            vehicles=max(customers, n(1_200_000)),  # vehicle i belongs to customer i first, then round again
            calls=n(5_000_000),
            complaints=n(500_000),
            callbacks=n(2_000_000),
            prospects=n(300_000),
            sales=n(600_000),
            service_visits=n(1_200_000),
        )


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION pg_temp.rnd(i bigint, salt bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE AS $$ SELECT (hashint8extended(i, salt) & 2147483647)::float8 / 2147483648.0 $$;
CREATE OR REPLACE FUNCTION pg_temp.pick(arr text[], i bigint, salt bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT arr[1 + floor(pg_temp.rnd(i, salt) * array_length(arr, 1))::int] $$;
-- A mobile number per number n: a real prefix and eight digits that differ for every n below 10^8 (7919 is prime).
CREATE OR REPLACE FUNCTION pg_temp.mobile(n bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT (ARRAY['130','131','132','133','135','136','137','138','139','150','151','152','155','156','158','159',
                  '177','180','181','182','186','187','188','189','198'])[1 + mod(n, 25)::int]
        || lpad(mod(n * 7919, 100000000)::text, 8, '0') $$;
CREATE OR REPLACE FUNCTION pg_temp.person(i bigint, salt bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT substr('{SURNAMES}', 1 + floor(pg_temp.rnd(i, salt) * {len(SURNAMES)})::int, 1)
        || substr('{GIVEN}', 1 + floor(pg_temp.rnd(i, salt + 1) * {len(GIVEN)})::int, 1)
        || CASE WHEN pg_temp.rnd(i, salt + 2) < 0.6
           THEN substr('{GIVEN}', 1 + floor(pg_temp.rnd(i, salt + 3) * {len(GIVEN)})::int, 1) ELSE '' END $$;
"""


def _steps(sizes: Sizes) -> list[tuple[str, str]]:
    """(what, SQL) in order. Parameters: %(now)s the anchor moment, %(s)s the seed's salt, %(password)s."""
    D, C, V = sizes.dealers, sizes.customers, sizes.vehicles  # noqa: N806 - read like the formulas they are
    U, A, F = USERS_PER_DEALER, AGENTS_PER_DEALER, FIRST_AGENT  # noqa: N806
    # customer c belongs to dealer dealer_of(c); vehicle v to customer ((v-1) % C) + 1
    dealer_of = f"(mod(({{c}}) - 1, {D}) + 1)"

    def dealer(c: str) -> str:
        return dealer_of.format(c=c)

    def agent(d: str, i: str, salt: int) -> str:
        return f"(({d}) - 1) * {U} + {F} + 1 + floor(pg_temp.rnd({i}, %(s)s + {salt}) * {A})::int"

    mobile = "pg_temp.mobile({c})"
    return [
        (
            "dealers",
            f"""
            INSERT INTO cac_dealer (id, created_at, updated_at, code, name, phone, address, time_zone, opens_at,
                closes_at, works_on_weekends, follow_up_days)
            SELECT d, %(now)s, %(now)s, 'BD' || lpad(d::text, 3, '0'),
                   ({_sql_array(CITIES)})[1 + mod(d - 1, {len(CITIES)})] || '丰田' || d || '店',
                   '400-800-' || lpad(d::text, 4, '0'), '', 'Asia/Shanghai', '08:30', '18:00', true, 3
            FROM generate_series(1, {D}) d""",
        ),
        (
            "users",
            f"""
            INSERT INTO cac_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined, phone, is_integration, language)
            SELECT (d - 1) * {U} + k + 1, %(password)s, false,
                   'bd' || lpad(d::text, 3, '0') || '-' || CASE k WHEN 0 THEN 'service' WHEN 1 THEN 'sales'
                        WHEN 2 THEN 'director' ELSE 'agent' || lpad((k - {F} + 1)::text, 2, '0') END,
                   substr(pg_temp.person((d - 1) * {U} + k, %(s)s + 1), 2),
                   substr(pg_temp.person((d - 1) * {U} + k, %(s)s + 1), 1, 1),
                   '', false, true, %(now)s - interval '800 days', '', false, 'zh-hans'
            FROM generate_series(1, {D}) d, generate_series(0, {U - 1}) k;
            INSERT INTO cac_user_dealers (user_id, dealer_id)
            SELECT (d - 1) * {U} + k + 1, d FROM generate_series(1, {D}) d, generate_series(0, {U - 1}) k;
            INSERT INTO cac_user_groups (user_id, group_id)
            SELECT (d - 1) * {U} + k + 1, g.id
            FROM generate_series(1, {D}) d, generate_series(0, {U - 1}) k
            JOIN auth_group g ON g.name = CASE k WHEN 0 THEN '{roles.SERVICE_MANAGER}'
                WHEN 1 THEN '{roles.SALES_MANAGER}' WHEN 2 THEN '{roles.DIRECTOR}' ELSE '{roles.AGENT}' END""",
        ),
        (
            "customers",
            f"""
            INSERT INTO cac_customer (id, created_at, updated_at, name, mobile, other_phones, preferred_channel,
                consents_to_calls, birthday, address, notes, owner_id, dealer_id)
            SELECT c, t, t, pg_temp.person(c, %(s)s + 10), {mobile.format(c="c")}, '',
                   CASE WHEN pg_temp.rnd(c, %(s)s + 11) < 0.04 THEN 'sms' ELSE 'phone' END,
                   pg_temp.rnd(c, %(s)s + 12) >= 0.05,
                   date '1960-01-01' + floor(pg_temp.rnd(c, %(s)s + 13) * 15000)::int,
                   '', '', NULL, {dealer("c")}
            FROM generate_series(1, {C}) c,
                 LATERAL (SELECT %(now)s - interval '1 day' * (900 * pg_temp.rnd(c, %(s)s + 14)) AS t) m""",
        ),
        (
            "vehicles",
            f"""
            INSERT INTO cac_vehicle (id, created_at, updated_at, vin, plate, model, purchase_date, warranty_end,
                insurance_expiry, mileage, customer_id, dealer_id)
            SELECT v, p::timestamptz, p::timestamptz, 'LBV' || lpad(v::text, 14, '0'),
                   '粤A' || lpad(mod(v, 100000)::text, 5, '0'), pg_temp.pick({_sql_array(MODELS)}, v, %(s)s + 20),
                   p, p + 365 * 3, (%(now)s)::date + floor(pg_temp.rnd(v, %(s)s + 21) * 365)::int,
                   floor(pg_temp.rnd(v, %(s)s + 22) * 120000)::int, mod(v - 1, {C}) + 1, {dealer(f"mod(v - 1, {C}) + 1")}
            FROM generate_series(1, {V}) v,
                 LATERAL (SELECT (%(now)s)::date - floor(pg_temp.rnd(v, %(s)s + 23) * 1500)::int AS p) m""",
        ),
        (
            "sales",
            f"""
            INSERT INTO cac_sale (id, created_at, updated_at, delivered_on, consultant_name, consultant_id,
                customer_id, dealer_id, vehicle_id)
            SELECT s, p::timestamptz, p::timestamptz, p, '销售顾问' || (1 + mod(s, 9)), NULL,
                   mod(s - 1, {C}) + 1, {dealer(f"mod(s - 1, {C}) + 1")}, s
            FROM generate_series(1, {min(sizes.sales, V)}) s,
                 LATERAL (SELECT (%(now)s)::date - 1 - floor(pg_temp.rnd(s, %(s)s + 30) * 730)::int AS p) m""",
        ),
        (
            "repair orders",
            f"""
            INSERT INTO cac_servicevisit (id, created_at, updated_at, order_number, date_in, date_out, mileage,
                advisor_name, fault, fault_code, work_done, is_warranty, is_rework, is_safety_fault, advisor_id,
                customer_id, dealer_id, vehicle_id)
            SELECT r, p::timestamptz, p::timestamptz, 'RO' || lpad(r::text, 10, '0'), p,
                   p + floor(pg_temp.rnd(r, %(s)s + 40) * 3)::int, floor(pg_temp.rnd(r, %(s)s + 41) * 120000)::int,
                   '服务顾问' || (1 + mod(r, 7)), pg_temp.pick({_sql_array(FAULTS)}, r, %(s)s + 42), '', '',
                   pg_temp.rnd(r, %(s)s + 43) < 0.3, pg_temp.rnd(r, %(s)s + 44) < 0.03,
                   pg_temp.rnd(r, %(s)s + 45) < 0.005, NULL,
                   mod(v - 1, {C}) + 1, {dealer(f"mod(v - 1, {C}) + 1")}, v
            FROM generate_series(1, {sizes.service_visits}) r,
                 LATERAL (SELECT 1 + floor(pg_temp.rnd(r, %(s)s + 46) * {V})::bigint AS v,
                                 (%(now)s)::date - 4 - floor(pg_temp.rnd(r, %(s)s + 47) * 726)::int AS p) m""",
        ),
        (
            "calls",
            f"""
            INSERT INTO cac_calllog (id, created_at, updated_at, direction, started_at, phone, caller_name, purpose,
                summary, outcome, duration_seconds, recording, recording_url, callback_owed, handled_by_id,
                customer_id, dealer_id)
            SELECT k, t, t, CASE WHEN pg_temp.rnd(k, %(s)s + 50) < 0.7 THEN 'in' ELSE 'out' END, t,
                   CASE WHEN unknown THEN pg_temp.mobile(5000000 + mod(k, 1000000)) ELSE {mobile.format(c="c")} END,
                   '',
                   pg_temp.pick(ARRAY['inquiry','inquiry','inquiry','appointment','appointment','follow_up',
                                      'follow_up','complaint','other'], k, %(s)s + 51),
                   pg_temp.pick({_sql_array(CALL_SUMMARIES)}, k, %(s)s + 52), '',
                   30 + floor(pg_temp.rnd(k, %(s)s + 53) * 600)::int, '', '', false,
                   {agent(dealer("c"), "k", 54)}, CASE WHEN unknown THEN NULL ELSE c END, {dealer("c")}
            FROM generate_series(1, {sizes.calls}) k,
                 LATERAL (SELECT 1 + floor(pg_temp.rnd(k, %(s)s + 55) * {C})::bigint AS c,
                                 pg_temp.rnd(k, %(s)s + 56) < 0.08 AS unknown,
                                 %(now)s - interval '1 minute' * floor(pg_temp.rnd(k, %(s)s + 57) * 730 * 1440)
                                     AS t) m""",
        ),
        ("complaints", _complaints_sql(sizes, dealer, agent)),
        (
            "escalations",
            """
            INSERT INTO complaints_escalation (from_level, to_level, reason, note, escalated_at, complaint_id,
                escalated_by_id)
            SELECT l - 1, l, CASE WHEN c.severity <> 'normal' AND l <= 2 THEN 'major' ELSE 'deadline' END, '',
                   LEAST(c.received_at + interval '8 hours' * l, %(now)s), c.id, NULL
            FROM complaints_complaint c, generate_series(1, c.escalation_level) l
            WHERE c.escalation_level > 0""",
        ),
        *_callback_steps(sizes, agent),
        ("prospects", _prospects_sql(sizes, dealer, agent)),
    ]


def _complaints_sql(sizes: Sizes, dealer: Callable[[str], str], agent: Callable[[str, str, int], str]) -> str:
    C, U = sizes.customers, USERS_PER_DEALER  # noqa: N806
    from complaints.models import OEM_CHANNELS  # the channels on the OEM's dual clock, the CSI survey's included

    oem = "(" + ", ".join(f"'{channel}'" for channel in sorted(OEM_CHANNELS)) + ")"
    # The status follows the age: the last three days hold every open state, older months are mostly closed, and
    # a few old ones are still open (and escalated to the top, as the sweep would have done).
    status = """CASE
        WHEN age < 3 THEN (ARRAY['new','new','acknowledged','acknowledged','investigating','investigating',
            'countermeasure_proposed','in_progress','in_progress','resolved'])[1 + floor(r * 10)::int]
        WHEN age < 30 THEN (ARRAY['closed','closed','closed','closed','closed','closed','resolved','in_progress',
            'investigating','reopened','cancelled','countermeasure_proposed'])[1 + floor(r * 12)::int]
        ELSE CASE WHEN r < 0.95 THEN 'closed' WHEN r < 0.98 THEN 'cancelled' WHEN r < 0.99 THEN 'in_progress'
            ELSE 'investigating' END END"""
    return f"""
    INSERT INTO complaints_complaint (id, created_at, updated_at, number, channel, category, severity, department,
        description, demand, status, escalation_level, received_at, acknowledge_due_at, resolve_due_at,
        acknowledged_at, resolved_at, closed_at, root_cause, countermeasure, resolution_type, compensation_amount,
        resolution_note, prevention_measure, oem_reference, oem_status_reported_at, oem_result_reported_at,
        is_abnormal, abnormal_reason, reopen_count, close_reason, close_kind, root_cause_class, customer_id, dealer_id,
        owner_id, vehicle_id)
    SELECT p, received, LEAST(%(now)s, received + interval '1 day' * (1 + age / 10)),
           'TS-' || to_char(received AT TIME ZONE 'Asia/Shanghai', 'YYYYMM') || '-'
               || lpad(row_number() OVER (PARTITION BY dealer_id,
                       to_char(received AT TIME ZONE 'Asia/Shanghai', 'YYYYMM') ORDER BY p)::text, 4, '0'),
           channel, category, severity, CASE WHEN category = 'purchase' THEN 'sales' ELSE 'after_sales' END,
           pg_temp.pick({_sql_array(COMPLAINT_TEXTS)}, p, %(s)s + 60), '', status,
           CASE WHEN status IN ('resolved', 'closed', 'cancelled') THEN CASE WHEN severity <> 'normal' THEN 2 ELSE 0 END
                WHEN received + interval '4 days' <= %(now)s THEN 3
                WHEN severity <> 'normal' THEN 2
                WHEN status = 'new' AND received + interval '8 hours' <= %(now)s THEN 1
                ELSE 0 END,
           received, received + interval '8 hours', received + interval '4 days',
           CASE WHEN status <> 'new' THEN LEAST(%(now)s, received + interval '1 minute' * (10 + r2 * 300)) END,
           CASE WHEN status IN ('resolved', 'closed') THEN LEAST(%(now)s, received + interval '1 hour' * (4 + r2 * 90))
                END,
           CASE WHEN status IN ('closed', 'cancelled') THEN
                LEAST(%(now)s, received + interval '1 hour' * (4 + r2 * 90) + interval '3 days') END,
           CASE WHEN status IN ('resolved', 'closed') THEN '零件质量问题' ELSE '' END,
           CASE WHEN status IN ('resolved', 'closed') THEN '更换零件并回访确认' ELSE '' END,
           CASE WHEN status IN ('resolved', 'closed') THEN pg_temp.pick({_sql_array(RESOLUTIONS)}, p, %(s)s + 61)
                ELSE '' END,
           NULL, '', '', CASE WHEN channel IN {oem} THEN 'OEM' || p ELSE '' END,
           CASE WHEN channel IN {oem} AND age >= 1 THEN received + interval '6 hours' END,
           CASE WHEN channel IN {oem} AND age >= 3 THEN received + interval '3 days' END,
           false, '', CASE WHEN status = 'reopened' THEN 1 ELSE 0 END,
           CASE WHEN status = 'cancelled' THEN '顾客撤诉' ELSE '' END,
           CASE WHEN status = 'closed' THEN 'satisfied' ELSE '' END,
           CASE WHEN status IN ('resolved', 'closed') THEN 'product' ELSE '' END,
           c, dealer_id,
           CASE WHEN r3 < 0.7 THEN (dealer_id - 1) * {U} + CASE WHEN category = 'purchase' THEN 2 ELSE 1 END
                ELSE {agent("dealer_id", "p", 62)} END,
           c
    FROM (
        SELECT p, c, {dealer("c")} AS dealer_id, received, age, r, r2, r3,
               pg_temp.pick({_sql_array(CHANNELS)}, p, %(s)s + 63) AS channel,
               pg_temp.pick({_sql_array(CATEGORIES)}, p, %(s)s + 64) AS category,
               pg_temp.pick({_sql_array(SEVERITIES)}, p, %(s)s + 65) AS severity
        FROM (
            SELECT p, 1 + floor(pg_temp.rnd(p, %(s)s + 66) * {C})::bigint AS c,
                   %(now)s - interval '1 minute' * a AS received, a / 1440.0 AS age,
                   pg_temp.rnd(p, %(s)s + 67) AS r, pg_temp.rnd(p, %(s)s + 68) AS r2, pg_temp.rnd(p, %(s)s + 69) AS r3
            FROM generate_series(1, {sizes.complaints}) p,
                 LATERAL (SELECT CASE WHEN pg_temp.rnd(p, %(s)s + 70) < 0.01
                                      THEN floor(pg_temp.rnd(p, %(s)s + 71) * 3 * 1440)
                                      ELSE floor(pg_temp.rnd(p, %(s)s + 71) * 730 * 1440) END AS a) m
        ) base
    ) x,
    LATERAL (SELECT {status} AS status) s"""


def _callback_steps(sizes: Sizes, agent: Callable[[str, str, int], str]) -> list[tuple[str, str]]:
    # Calls of the past: mostly completed; those not yet due are scheduled; a few stayed open (the sweep told the
    # supervisor about them long ago).
    def past(due: str, salt: int) -> str:
        return f"""CASE WHEN {due} > %(now)s THEN 'scheduled'
            WHEN {due} > %(now)s - interval '1 day' THEN (ARRAY['due','due','in_progress','completed'])[
                1 + floor(pg_temp.rnd(id, %(s)s + {salt}) * 4)::int]
            ELSE (ARRAY['completed','completed','completed','completed','completed','completed','completed',
                'completed','completed','completed','completed','completed','completed','completed','completed',
                'completed','completed','unreachable','declined','cancelled'])[
                1 + floor(pg_temp.rnd(id, %(s)s + {salt}) * 20)::int] END"""

    columns = """kind, care_key, due_at, status, satisfaction, answers, remarks, completed_at, cancel_reason,
        next_attempt_at, agent_id, complaint_id, customer_id, dealer_id, excluded_agent_id, raised_complaint_id,
        sale_id, service_visit_id, vehicle_id, created_at, updated_at"""

    def rest(salt: int) -> str:
        return f"""CASE WHEN status = 'completed' THEN 3 + floor(pg_temp.rnd(id, %(s)s + {salt}) * 2.99)::int END,
            '{{}}'::jsonb, '', CASE WHEN status IN ('completed', 'unreachable', 'declined')
                THEN due + interval '1 minute' * floor(pg_temp.rnd(id, %(s)s + {salt + 1}) * 1200) END,
            CASE WHEN status = 'cancelled' THEN '顾客已不在本地' ELSE '' END, NULL"""

    sales = min(sizes.sales, sizes.vehicles)
    visits = min(sizes.service_visits, max(0, sizes.callbacks - sales) * 2 // 3)
    complaint_calls = min(sizes.complaints // 3, max(0, sizes.callbacks - sales - visits) // 3)
    care = max(0, sizes.callbacks - sales - visits - complaint_calls)
    return [
        (
            "follow-up calls after sales",
            f"""
            INSERT INTO callbacks_callback ({columns})
            SELECT 'after_sale', '', due, status, {rest(80)}, {agent("dealer_id", "id", 82)}, NULL, customer_id,
                   dealer_id, NULL, NULL, id, NULL, vehicle_id, created_at, created_at
            FROM (SELECT s.*, (s.delivered_on + 3)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours' AS due
                  FROM cac_sale s WHERE s.id <= {sales}) x,
                 LATERAL (SELECT {past("due", 83)} AS status) st""",
        ),
        (
            "follow-up calls after repairs",
            f"""
            INSERT INTO callbacks_callback ({columns})
            SELECT 'after_service', '', due, status, {rest(84)}, {agent("dealer_id", "id", 86)}, NULL, customer_id,
                   dealer_id, NULL, NULL, NULL, id, vehicle_id, created_at, created_at
            FROM (SELECT r.*, (r.date_out + 3)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours' AS due
                  FROM cac_servicevisit r WHERE r.id <= {visits}) x,
                 LATERAL (SELECT {past("due", 87)} AS status) st""",
        ),
        (
            "follow-up calls after complaints",
            f"""
            INSERT INTO callbacks_callback ({columns})
            SELECT 'after_complaint', '', due, status, {rest(88)}, {agent("dealer_id", "id", 90)}, id, customer_id,
                   dealer_id, NULL, NULL, NULL, NULL, vehicle_id, resolved_at, resolved_at
            FROM (SELECT c.id, c.customer_id, c.dealer_id, c.vehicle_id, c.resolved_at,
                         c.resolved_at + interval '3 days' AS due FROM complaints_complaint c
                  WHERE c.status = 'closed' ORDER BY c.id LIMIT {complaint_calls}) x,
                 LATERAL (SELECT CASE WHEN due > %(now)s THEN 'scheduled' ELSE 'completed' END AS status) st""",
        ),
        (
            "care calls (maintenance, insurance, birthdays), scheduled ahead",
            f"""
            INSERT INTO callbacks_callback ({columns})
            SELECT kind, 'bench-' || n, due, 'scheduled', NULL, '{{}}'::jsonb, '', NULL, '', NULL,
                   {agent(f"mod(c - 1, {sizes.dealers}) + 1", "n", 92)}, NULL, c, mod(c - 1, {sizes.dealers}) + 1,
                   NULL, NULL, NULL, NULL, CASE WHEN kind = 'birthday' THEN NULL ELSE c END, %(now)s, %(now)s
            FROM generate_series(1, {care}) n,
                 LATERAL (SELECT mod(n - 1, {sizes.customers}) + 1 AS c,
                                 (ARRAY['maintenance','maintenance','insurance_renewal','birthday'])[
                                     1 + floor(pg_temp.rnd(n, %(s)s + 93) * 4)::int] AS kind,
                                 %(now)s + interval '1 minute' * (60 + floor(pg_temp.rnd(n, %(s)s + 94) * 180 * 1440))
                                     AS due) m""",
        ),
        (
            "follow-up call attempts",
            """
            INSERT INTO callbacks_callbackattempt (attempted_at, slot, result, note, agent_id, call_id, callback_id)
            SELECT completed_at, CASE WHEN extract(hour FROM completed_at AT TIME ZONE 'Asia/Shanghai') < 12
                                      THEN 'morning' ELSE 'afternoon' END,
                   CASE WHEN status = 'completed' THEN 'reached' ELSE 'no_answer' END, '', agent_id, NULL, id
            FROM callbacks_callback WHERE completed_at IS NOT NULL AND mod(id, 3) = 0""",
        ),
    ]


def _prospects_sql(sizes: Sizes, dealer: Callable[[str], str], agent: Callable[[str, str, int], str]) -> str:
    # Older than 90 days: decided (won, lost, archived, unreachable). Recent: in every open state, next contacts
    # spread over the coming days, one in six already overdue.
    return f"""
    INSERT INTO prospects_prospect (created_at, updated_at, name, phone, source, model_of_interest, budget, grade,
        status, last_contact_at, next_contact_at, contacting_since, contacted_at, appointment_kind, appointment_at,
        won_at, lost_reason, closed_note, notes, call_id, campaign_id, customer_id, dealer_id, owner_id, vehicle_id)
    SELECT created, LEAST(%(now)s, created + interval '1 day' * age / 3), pg_temp.person(n, %(s)s + 100),
           pg_temp.mobile(2000000 + n), pg_temp.pick({_sql_array(SOURCES)}, n, %(s)s + 101),
           pg_temp.pick({_sql_array(MODELS)}, n, %(s)s + 102), 100000 + floor(r2 * 30) * 10000,
           pg_temp.pick({_sql_array(GRADES)}, n, %(s)s + 103), status,
           CASE WHEN status <> 'new' THEN LEAST(%(now)s, created + interval '1 day' * age / 2) END,
           CASE WHEN status IN ('new', 'contacting', 'following', 'appointment') THEN
                CASE WHEN r2 < 0.17 THEN %(now)s - interval '1 minute' * floor(r3 * 10 * 1440)
                     ELSE %(now)s + interval '1 minute' * (30 + floor(r3 * 20 * 1440)) END END,
           CASE WHEN status <> 'new' THEN created + interval '2 hours' END,
           CASE WHEN status IN ('following', 'appointment', 'won', 'lost', 'archived') THEN created + interval '1 day'
                END,
           CASE WHEN status = 'appointment' THEN 'test_drive' ELSE '' END,
           CASE WHEN status = 'appointment' THEN %(now)s + interval '1 hour' * floor(r3 * 200) END,
           CASE WHEN status = 'won' THEN LEAST(%(now)s, created + interval '1 day' * age / 2) END,
           CASE WHEN status = 'lost' THEN (ARRAY['bought_elsewhere','budget','not_interested','other'])[
               1 + floor(r3 * 4)::int] ELSE '' END, '', '', NULL, NULL,
           CASE WHEN status = 'won' THEN c END, {dealer("c")}, {agent(dealer("c"), "n", 104)},
           NULL
    FROM generate_series(1, {sizes.prospects}) n,
         LATERAL (SELECT 1 + floor(pg_temp.rnd(n, %(s)s + 105) * {sizes.customers})::bigint AS c,
                         pg_temp.rnd(n, %(s)s + 106) AS r, pg_temp.rnd(n, %(s)s + 107) AS r2,
                         pg_temp.rnd(n, %(s)s + 108) AS r3,
                         floor(pg_temp.rnd(n, %(s)s + 109) * 730)::int AS age) m,
         LATERAL (SELECT %(now)s - interval '1 day' * age - interval '1 minute' * floor(r2 * 600) AS created,
                         CASE WHEN age >= 90 THEN
                             CASE WHEN r < 0.25 THEN 'won' WHEN r < 0.6 THEN 'lost' WHEN r < 0.9 THEN 'archived'
                                  ELSE 'unreachable' END
                         ELSE (ARRAY['new','contacting','contacting','following','following','following',
                                     'following','appointment','won','lost'])[1 + floor(r * 10)::int] END
                             AS status) s"""


def _history_sql(table: str, history: str, dated: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [history],
        )
        history_columns = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        shared = [row[0] for row in cursor.fetchall() if row[0] in history_columns]
    names = ", ".join(shared)
    # The creation row; a row that changed since has a second one with its present state, as the services write it.
    return f"""
    INSERT INTO {history} ({names}, history_date, history_change_reason, history_type, history_user_id)
    SELECT {names}, {dated}, 'created', '+', NULL FROM {table};
    INSERT INTO {history} ({names}, history_date, history_change_reason, history_type, history_user_id)
    SELECT {names}, updated_at, 'updated', '~', NULL FROM {table} WHERE updated_at > {dated} + interval '1 minute'
    """


def _write_defaults() -> None:
    """The default deadline policies and call scripts, as their migrations write them (for a database an earlier
    data set emptied of them); rows that exist are left as they are."""
    from django.apps import apps

    for module in ("complaints.migrations.0002_defaults_and_roles", "callbacks.migrations.0002_questions_and_roles"):
        import_module(module).forwards(apps, None)


def _drop_indexes(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
        """,
        [REBUILT],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def seed(*, scale: float, seed: int = 1, now: datetime | None = None, log: Callable[[str], None] = print) -> dict:
    """Empty the CAC's tables and fill them with the data set of `scale`. Returns the sizes and the timings."""
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "The benchmark data set is written by PostgreSQL: set DATABASE_URL to a PostgreSQL database."
        )
    sizes = Sizes.for_scale(scale)
    anchor = now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    params = {"now": anchor, "s": seed * 1000, "password": make_password(BENCH_PASSWORD)}
    timings: dict[str, float] = {}
    started = time.monotonic()

    def timed(what: str, action: Callable[[], None]) -> None:
        t0 = time.monotonic()
        action()
        timings[what] = round(time.monotonic() - t0, 1)
        log(f"  {what}: {timings[what]} s")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # foreign keys are computed to exist
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(FUNCTIONS)
        # TRUNCATE … CASCADE empties every table that points to a dealer, the group-wide configuration too: the
        # default deadline policies and call scripts are kept aside and put back.
        for table in KEPT_DEFAULTS:
            cursor.execute(
                f"CREATE TEMP TABLE keep_{table} ON COMMIT DROP AS SELECT * FROM {table} WHERE dealer_id IS NULL"
            )
        timed("empty the tables", lambda: cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        for table in KEPT_DEFAULTS:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM keep_{table}")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(1, (SELECT max(id) FROM {table})))"
            )
        definitions = _drop_indexes(cursor)
        for what, sql in _steps(sizes):
            timed(what, lambda sql=sql: cursor.execute(sql, params))
        for table, history, dated in HISTORY:
            timed(f"history of {table}", lambda t=table, h=history, d=dated: cursor.execute(_history_sql(t, h, d)))
        for table in ["cac_dealer", "cac_user", "cac_customer", "cac_vehicle", "cac_sale", "cac_servicevisit"]:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cac_calllog', 'id'), GREATEST(1, (SELECT max(id) FROM cac_calllog)))"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('complaints_complaint', 'id'), "
            "GREATEST(1, (SELECT max(id) FROM complaints_complaint)))"
        )

        def rebuild() -> None:
            for definition in definitions:
                cursor.execute(definition)

        timed("rebuild the indexes", rebuild)
    _write_defaults()
    timed("analyze", lambda: connection.cursor().execute("ANALYZE"))
    timings["total"] = round(time.monotonic() - started, 1)
    return {"sizes": sizes.__dict__, "timings": timings, "anchor": anchor.isoformat(), "seed": seed}
