"""The enterprise demo's statements (enterprise.demo): one per table, seeded (SEED_SQL) so two runs on the same
province give the same data."""

SEED_SQL = "SELECT setseed(%s)"

# A province without groups (made before enterprises existed): a few groups, some lines attached.
DEMO_ENTERPRISES_SQL = """
            INSERT INTO enterprise_enterpriseaccount (name, industry, region_id, legacy_class, account_manager_id,
                size, headcount, competitors, unified_billing_revenue, computed_class, class_factors,
                created_at, updated_at)
            SELECT '演示集团' || c.id, '制造', c.region_id, 'C', c.account_manager_id, 'small', 0, '', 0, '', '{}',
                   now(), now()
            FROM customers_customer c WHERE c.account_manager_id IS NOT NULL AND c.id % 400 = 0"""
DEMO_MEMBERS_SQL = """
            UPDATE customers_line l SET enterprise_id = e.id
            FROM customers_customer c JOIN enterprise_enterpriseaccount e ON e.region_id = c.region_id
                 AND e.id % 7 = c.id % 7
            WHERE c.id = l.customer_id AND l.status <> 'closed' AND l.id % 20 = 0"""

PROFILE_SQL = """
UPDATE enterprise_enterpriseaccount a SET
    headcount = greatest(coalesce(m.members, 0), 3) * (1.2 + random() * 1.8),
    unified_billing_revenue = round((coalesce(m.members, 0) * (60 + random() * 100) + 500 + random() * 3000)::numeric,
                                    2),
    customer_since = date '2008-01-01' + (random() * 6000)::int,
    competitors = (ARRAY['', '', '中国电信', '中国联通', '中国电信, 中国联通'])[1 + floor(random() * 5)::int]
FROM enterprise_enterpriseaccount a2
LEFT JOIN (SELECT enterprise_id, count(*) AS members FROM customers_line
           WHERE enterprise_id IS NOT NULL AND status <> 'closed' GROUP BY enterprise_id) m ON m.enterprise_id = a2.id
WHERE a.id = a2.id
"""

SIZE_SQL = """
UPDATE enterprise_enterpriseaccount SET size = CASE WHEN headcount >= 1000 THEN 'large' WHEN headcount >= 100
    THEN 'medium' WHEN headcount >= 10 THEN 'small' ELSE 'micro' END
"""

SERVICE_MANAGER_SQL = """
UPDATE enterprise_enterpriseaccount a SET service_manager_id = (
    SELECT sp2.user_id FROM core_staffprofile sp JOIN core_staffprofile sp2 ON sp2.team_id = sp.team_id
    JOIN auth_user_groups ug ON ug.user_id = sp2.user_id JOIN auth_group g ON g.id = ug.group_id
    WHERE sp.user_id = a.account_manager_id AND sp2.user_id <> a.account_manager_id AND g.name = 'account_manager'
    ORDER BY sp2.user_id LIMIT 1)
WHERE random() < 0.6
"""

KEY_PEOPLE_SQL = """
INSERT INTO enterprise_keyperson (account_id, role, name, title, phone, notes)
SELECT a.id, r.role,
       (ARRAY['王','李','张','刘','陈','杨','黄','赵','周','吴'])[1 + floor(random() * 10)::int]
         || (ARRAY['总','经理','主任','科长','部长'])[1 + floor(random() * 5)::int],
       r.title, '139' || lpad((floor(random() * 100000000))::int::text, 8, '0'), ''
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('decision_maker', '总经理'), ('liaison', '办公室主任'), ('influencer', '信息中心主管'))
     AS r(role, title)
WHERE r.role <> 'influencer' OR random() < 0.5
"""

AGREEMENTS_SQL = """
INSERT INTO enterprise_agreement (account_id, title, signed_on, expires_on, monthly_value)
SELECT a.id, t.title, s.signed, s.signed + (365 * (1 + floor(random() * 3)))::int,
       round((a.unified_billing_revenue * (0.3 + random() * 0.5))::numeric, 2)
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('集团统一付费协议'), ('集团虚拟网协议')) AS t(title)
CROSS JOIN LATERAL (SELECT %(today)s::date - (random() * 1000 + 0 * a.id)::int AS signed) s  -- a.id: per row
WHERE t.title = '集团统一付费协议' OR random() < 0.5
"""

PRODUCTS_SQL = """
INSERT INTO enterprise_productholding (account_id, product, since, monthly_revenue)
SELECT a.id, p.product, %(today)s::date - (random() * 1500)::int,
       round((a.unified_billing_revenue * p.share * (0.5 + random()))::numeric, 2)
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('group_vpn', 0.8, 0.25), ('group_sms', 0.6, 0.1), ('conference', 0.3, 0.08),
                   ('industry_app', 0.2, 0.2)) AS p(product, chance, share)
WHERE random() < p.chance
"""

LEAD_OF_MANAGER = """(SELECT sp2.user_id FROM core_staffprofile sp
    JOIN core_staffprofile sp2 ON sp2.team_id = sp.team_id
    JOIN auth_user_groups ug ON ug.user_id = sp2.user_id JOIN auth_group g ON g.id = ug.group_id
    WHERE sp.user_id = a.account_manager_id AND g.name = 'team_lead' ORDER BY sp2.user_id LIMIT 1)"""

TASKS_SQL = f"""
INSERT INTO enterprise_task (account_id, title, description, assigned_to_id, assigned_by_id, due_date, priority,
    status, outcome, completed_at, completed_by_id, created_at, updated_at)
SELECT a.id, t.title, '', a.account_manager_id, {LEAD_OF_MANAGER}, d.due, 1 + floor(random() * 4)::int,
       CASE WHEN d.due < %(today)s::date - 7 THEN 'done' ELSE 'open' END,
       CASE WHEN d.due < %(today)s::date - 7 THEN '已完成' ELSE '' END,
       CASE WHEN d.due < %(today)s::date - 7 THEN d.due::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '17 hours'
       END,
       CASE WHEN d.due < %(today)s::date - 7 THEN a.account_manager_id END, %(now)s, %(now)s
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('走访决策人'), ('协议续签沟通'), ('集团成员通讯录收集'), ('推荐行业应用')) AS t(title)
CROSS JOIN LATERAL (SELECT %(today)s::date + (floor(random() * 40 + 0 * a.id + 0 * length(t.title)) - 25)::int
                    AS due) d
LEFT JOIN core_calendarday cal ON cal.date = d.due
WHERE a.account_manager_id IS NOT NULL AND random() < 0.7
  AND coalesce(cal.is_working_day, extract(isodow FROM d.due) < 6)  -- due on working days only (the calendar)
"""

INTERACTIONS_SQL = """
INSERT INTO enterprise_interaction (account_id, kind, by_id, at, summary, next_step)
SELECT a.id, (ARRAY['visit', 'call', 'message'])[1 + floor(random() * 3)::int], a.account_manager_id,
       %(now)s - make_interval(days => floor(random() * 90)::int, hours => floor(random() * 8)::int),
       (ARRAY['拜访集团联系人,了解成员规模', '电话回访关键人,介绍虚拟网优惠', '短信告知新政策',
              '与信息中心沟通行业应用需求'])[1 + floor(random() * 4)::int],
       (ARRAY['', '下周再访', '发送方案', '约决策人面谈'])[1 + floor(random() * 4)::int]
FROM enterprise_enterpriseaccount a CROSS JOIN generate_series(1, 4) AS g(n)
WHERE a.account_manager_id IS NOT NULL AND random() < 0.8
"""

MANAGER_KINDS_SQL = """
INSERT INTO enterprise_managerprofile (user_id, kind)
SELECT DISTINCT account_manager_id, 'marketing' FROM enterprise_enterpriseaccount WHERE account_manager_id IS NOT NULL
UNION
SELECT DISTINCT service_manager_id, 'service' FROM enterprise_enterpriseaccount
WHERE service_manager_id IS NOT NULL AND service_manager_id NOT IN (
    SELECT account_manager_id FROM enterprise_enterpriseaccount WHERE account_manager_id IS NOT NULL)
ON CONFLICT (user_id) DO NOTHING
"""

OPPORTUNITIES_SQL = """
INSERT INTO enterprise_opportunity (account_id, prospect_name, region_id, kind, stage, title, plan, expected_revenue,
    expected_close, account_manager_id, created_at, updated_at)
SELECT a.id, '', a.region_id, k.kind,
       (ARRAY['identified', 'qualified', 'proposal', 'negotiation', 'won', 'lost'])[1 + floor(random() * 6)::int],
       k.title, '', round((a.unified_billing_revenue * (0.1 + random() * 0.3))::numeric, 2),
       %(today)s::date + (random() * 120)::int, a.account_manager_id, %(now)s, %(now)s
FROM enterprise_enterpriseaccount a
CROSS JOIN (VALUES ('development_request', '综合语音接入'), ('development_plan', '集团短信平台扩容')) AS k(kind, title)
WHERE random() < 0.3
"""
