"""The authorization matrix: every API v1 endpoint, web page, admin page and the WebSocket,
asked by every role of the demo data, about objects of the role's own city and of another city.

How to read TABLE
-----------------
Columns are the callers; all city roles are of Guangzhou (广州):

  officer1  guangzhou.officer1    safety officer (执法人员), a handler of the Guangzhou cases
  officer2  guangzhou.officer2    safety officer of the same agency, not a handler
  head      guangzhou.head        head of the safety regulator (负责人)
  police    guangzhou.police      police officer
  p.head    guangzhou.police_head head of the police
  market    guangzhou.market      market regulator officer (another agency kind that owns cases)
  cyber     guangzhou.cyber       cyberspace office (网信办)
  procur    guangzhou.procurator  procuratorate (人民检察院)
  superv    guangzhou.supervisor  city supervisor (安委办)
  gd.sup    gd.supervisor         province supervisor
  gd.proc   gd.procurator         province procuratorate
  admin     admin                 the staff administrator (reference data), in no agency
  anon      —                     not logged in

Rows are `METHOD path city`. `{name}` in the path is an object of tests/security/world.py (its
docstring lists them) in the row's city: gz = Guangzhou (the roles' own city), sz = Shenzhen
(another city), - = no object. `∋ key={obj}` on a list asks whether the object is listed: JSON
results with that key, or (web pages) the text in the page.

Cells are the expected answer:
  200 201 302 400 401 403 404 405 409 …   the HTTP status code
  200+ / 200-                             200, and the object is / is not listed
  101 / 101+ / 101-                       WebSocket accepted (and the notification is / is not sent)
  4401                                    WebSocket refused by the consumer (not authenticated)
  1000                                    WebSocket refused before the consumer (foreign Origin)

Every call that changes something and is refused (4xx) must leave the database as it was, and an
allowed action must change it; every cell runs in its own savepoint, so an allowed change never
leaks into the next cell.

A new URL pattern (or API method) fails test_every_url_pattern_and_api_method_has_a_row_in_the_matrix
until its rows are here; a request body goes in BODIES.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import hearing_time
from tests.workflows.helpers import DOCS

from .world import pdf_upload

ROLES = {
    "officer1": "guangzhou.officer1",
    "officer2": "guangzhou.officer2",
    "head": "guangzhou.head",
    "police": "guangzhou.police",
    "p.head": "guangzhou.police_head",
    "market": "guangzhou.market",
    "cyber": "guangzhou.cyber",
    "procur": "guangzhou.procurator",
    "superv": "guangzhou.supervisor",
    "gd.sup": "gd.supervisor",
    "gd.proc": "gd.procurator",
    "admin": "admin",
    "anon": None,
}

TABLE = """
#                                                                              officer1  officer2  head  police  p.head  market  cyber  procur  superv  gd.sup  gd.proc  admin  anon
# ── API v1: who I am, reference data ──
POST   /api/v1/auth/token/                                                  -  400       400       400   400     400     400     400    400     400     400     400      400    400
DELETE /api/v1/auth/token/                                                  -  204       204       204   204     204     204     204    204     204     204     204      204    401
GET    /api/v1/auth/tokens/                                                 -  200       200       200   200     200     200     200    200     200     200     200      200    401
DELETE /api/v1/auth/tokens/{token}/                                         gz 204       404       404   404     404     404     404    404     404     404     404      404    401
DELETE /api/v1/auth/tokens/{token}/                                         sz 404       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/me/                                                          -  200       200       200   200     200     200     200    200     200     200     200      200    401
GET    /api/v1/regions/                                                     -  200       200       200   200     200     200     200    200     200     200     200      200    401
GET    /api/v1/agencies/                                                    -  200       200       200   200     200     200     200    200     200     200     200      200    401
# ── API v1: cases ──
GET    /api/v1/cases/?q={case.number} ∋ id={case}                           gz 200+      200+      200+  200-    200-    200-    200-   200-    200+    200+    200-     200-   401
GET    /api/v1/cases/?q={case.number} ∋ id={case}                           sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200-     200-   401
GET    /api/v1/cases/?q={referred.number} ∋ id={referred}                   gz 200+      200+      200+  200+    200+    200-    200-   200+    200+    200+    200+     200-   401
GET    /api/v1/cases/?q={referred.number} ∋ id={referred}                   sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200+     200-   401
# A search by ID number (the referred person's, in the body) finds the case only for those who see that number in full.
POST   /api/v1/cases/search/ ∋ id={referred}                                gz 200+      200-      200+  200+    200+    200-    200-   200+    200-    200-    200+     200-   401
POST   /api/v1/cases/search/ ∋ id={referred}                                sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200-    200+     200-   401
POST   /api/v1/cases/                                                       gz 201       201       201   403     403     201     403    403     403     403     403      403    401
POST   /api/v1/cases/                                                       sz 400       400       400   403     403     400     403    403     403     403     403      403    401
GET    /api/v1/cases/{case}/                                                gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/                                                sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{referred}/                                            gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/cases/{referred}/                                            sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/cases/{case}/events/                                         gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/events/                                         sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{referred}/events/                                     gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/cases/{referred}/events/                                     sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/cases/{case}/timeline.xlsx                                   gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/timeline.xlsx                                   sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{referred}/timeline.pdf                                gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/cases/{referred}/timeline.pdf                                sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/cases/{case}/links/                                          gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/links/                                          sz 404       404       404   404     404     404     404    404     404     200     404      404    401
# 内部备注: the owning agency and the supervisors read the notes, the handlers and the head write them; never the police.
GET    /api/v1/cases/{case}/notes/                                          gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/notes/                                          sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{referred}/notes/                                      gz 200       200       200   403     403     404     404    403     200     200     403      404    401
GET    /api/v1/cases/{referred}/notes/                                      sz 404       404       404   404     404     404     404    404     404     200     403      404    401
POST   /api/v1/cases/{case}/notes/                                          gz 201       403       201   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/notes/                                          sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/link_case/                              gz 200       403       200   404     404     404     404    404     200     200     404      404    401
POST   /api/v1/cases/{case}/actions/link_case/                              sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/leads/report/                                                -  403       403       403   200     200     403     200    403     403     403     403      403    401
POST   /api/v1/leads/report/                                                -  403       403       403   201     201     403     201    403     403     403     403      403    401
GET    /api/v1/cases/{case}/evidence/                                       gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/evidence/                                       sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/cases/{case}/evidence/                                       gz 201       403       201   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/evidence/                                       sz 404       404       404   404     404     404     404    404     404     403     404      404    401
GET    /api/v1/evidence/{evidence}/                                         gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/evidence/{evidence}/                                         sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/cases/{closed}/typical/                                      gz 403       403       403   404     404     404     404    404     201     201     404      404    401
POST   /api/v1/cases/{closed}/typical/                                      sz 404       404       404   404     404     404     404    404     404     201     404      404    401
# ── API v1: case actions (DESIGN §3) ──
POST   /api/v1/cases/{lead}/actions/open/                                   gz 200       200       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{lead}/actions/open/                                   sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{lead}/actions/decline/                                gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{lead}/actions/decline/                                sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/add_person/                             gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/add_person/                             sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_finding/                         gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_finding/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/correct/                                 gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/correct/                                 sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/approve_correction/                      gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/approve_correction/                      sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/endorse_correction/                      gz 403       403       403   404     404     404     404    404     200     200     404      404    401
POST   /api/v1/cases/{case}/actions/endorse_correction/                      sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/cases/{bare}/actions/extend_decision_period/                  gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{bare}/actions/extend_decision_period/                  sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/order_rectification/                    gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/order_rectification/                    sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/verify_rectification/                   gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/verify_rectification/                   sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/suspend_production/                     gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/suspend_production/                     sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/lift_suspension/                        gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/lift_suspension/                        sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/impose_fine/                            gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/impose_fine/                            sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/propose_penalty/                        gz 200       403       403   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/propose_penalty/                        sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/approve_penalty/                        gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/approve_penalty/                        sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/notify_penalty/                         gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/notify_penalty/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_statement/                       gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_statement/                       sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/request_hearing/                        gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/request_hearing/                        sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/schedule_hearing/                       gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/schedule_hearing/                       sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_hearing/                         gz 409       409       409   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_hearing/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/review_penalty/                         gz 409       409       409   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/review_penalty/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/decide_penalty/                         gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/decide_penalty/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_payment/                         gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/record_payment/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/request_enforcement/                    gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/request_enforcement/                    sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/serve_decision/                         gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/serve_decision/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/issue_demand/                           gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/issue_demand/                           sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/request_takedown/                       gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/request_takedown/                       sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{case}/actions/propose_referral/                       gz 200       403       403   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/propose_referral/                       sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{bare}/actions/close/                                  gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/reassign/                               gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/cases/{case}/actions/reassign/                               sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{bare}/actions/close/                                  sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/cases/{closed}/actions/reopen/                               gz 403       403       403   404     404     404     404    404     200     200     404      404    401
POST   /api/v1/cases/{closed}/actions/reopen/                               sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/cases/{case}/actions/nonsense/                               gz 404       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/cases/{case}/actions/close/                                  gz 405       405       405   405     405     405     405    405     405     405     405      405    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/notice.pdf          gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/notice.pdf          sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/notice_receipt.pdf  gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/notice_receipt.pdf  sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{hearing_held}/hearing_notice.pdf     gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{hearing_held}/hearing_notice.pdf     sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{hearing_held}/hearing_notice_receipt.pdf gz 200    200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{hearing_held}/hearing_notice_receipt.pdf sz 404    404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/decision.pdf        gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/decision.pdf        sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/decision_receipt.pdf gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/cases/{case}/penalties/{decided_penalty}/decision_receipt.pdf sz 404       404       404   404     404     404     404    404     404     200     404      404    401
# ── API v1: referrals ──
GET    /api/v1/referrals/ ∋ id={proposed}                                   gz 200+      200+      200+  200-    200-    200-    200-   200-    200+    200+    200-     200-   401
GET    /api/v1/referrals/ ∋ id={proposed}                                   sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200-     200-   401
GET    /api/v1/referrals/ ∋ id={received}                                   gz 200+      200+      200+  200+    200+    200-    200-   200+    200+    200+    200+     200-   401
GET    /api/v1/referrals/ ∋ id={received}                                   sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200+     200-   401
GET    /api/v1/referrals/{proposed}/                                        gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/referrals/{proposed}/                                        sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/referrals/{received}/                                        gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{received}/                                        sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{approved}/                                        gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/referrals/{approved}/                                        sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/referrals/{forwarded}/                                       gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{forwarded}/                                       sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{received}/letter.pdf                              gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{received}/letter.pdf                              sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{received}/receipt.pdf                             gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{received}/receipt.pdf                             sz 404       404       404   404     404     404     404    404     404     200     200      404    401
POST   /api/v1/referrals/{proposed}/actions/approve/                        gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/referrals/{proposed}/actions/approve/                        sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/referrals/{proposed}/actions/refuse/                         gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/referrals/{proposed}/actions/refuse/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/referrals/{refused}/actions/endorse_refusal/                 gz 403       403       403   404     404     404     404    404     200     200     404      404    401
POST   /api/v1/referrals/{refused}/actions/endorse_refusal/                 sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/referrals/{refused}/actions/order_transfer/                  gz 403       403       403   404     404     404     404    404     200     200     404      404    401
POST   /api/v1/referrals/{refused}/actions/order_transfer/                  sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/referrals/{approved}/actions/transmit/                       gz 200       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/referrals/{approved}/actions/transmit/                       sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/referrals/{transmitted}/actions/acknowledge/                 gz 403       403       403   200     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{transmitted}/actions/acknowledge/                 sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{transmitted}/actions/forward/                     gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{transmitted}/actions/forward/                     sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{received}/actions/accept/                         gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{received}/actions/accept/                         sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{received}/actions/reject/                         gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{received}/actions/reject/                         sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{rejected}/actions/request_reconsideration/        gz 403       403       200   403     403     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{rejected}/actions/request_reconsideration/        sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{reconsideration}/actions/decide_reconsideration/  gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{reconsideration}/actions/decide_reconsideration/  sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{rejected}/actions/request_supervision/            gz 403       403       200   403     403     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{rejected}/actions/request_supervision/            sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{supervision}/actions/resolve_supervision/         gz 403       403       403   403     403     404     404    200     403     403     403      404    401
POST   /api/v1/referrals/{supervision}/actions/resolve_supervision/         sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{rejected}/actions/accept_rejection/               gz 403       403       200   403     403     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{rejected}/actions/accept_rejection/               sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{accepted}/actions/hand_over/                      gz 200       403       200   403     403     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{accepted}/actions/hand_over/                      sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{received}/actions/request_supplement/             gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{received}/actions/request_supplement/             sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{supplement_requested}/actions/supplement/         gz 200       403       200   403     403     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{supplement_requested}/actions/supplement/         sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{received}/actions/decline_jurisdiction/           gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{received}/actions/decline_jurisdiction/           sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{supervision}/actions/request_explanation/         gz 403       403       403   403     403     404     404    200     403     403     403      404    401
POST   /api/v1/referrals/{supervision}/actions/request_explanation/         sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{explaining}/actions/explain/                      gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{explaining}/actions/explain/                      sz 404       404       404   404     404     404     404    404     404     403     403      404    401
POST   /api/v1/referrals/{ps_accepted}/actions/record_outcome/              gz 403       403       403   403     200     404     404    403     403     403     403      404    401
POST   /api/v1/referrals/{ps_accepted}/actions/record_outcome/              sz 404       404       404   404     404     404     404    404     404     403     403      404    401
GET    /api/v1/referrals/{supplement_requested}/supplement_notice.pdf       gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{supplement_requested}/supplement_notice.pdf       sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{rejected}/rejection_notice.pdf                    gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{rejected}/rejection_notice.pdf                    sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{forwarded}/forward_notice.pdf                     gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{forwarded}/forward_notice.pdf                     sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{declined}/decline_notice.pdf                      gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{declined}/decline_notice.pdf                      sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{accepted}/acceptance_notice.pdf                   gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{accepted}/acceptance_notice.pdf                   sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{upheld}/reconsideration_decision.pdf              gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{upheld}/reconsideration_decision.pdf              sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{explaining}/explanation_request.pdf               gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{explaining}/explanation_request.pdf               sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{ordered}/explanation.pdf                          gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{ordered}/explanation.pdf                          sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{ordered}/filing_order.pdf                         gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{ordered}/filing_order.pdf                         sz 404       404       404   404     404     404     404    404     404     200     200      404    401
GET    /api/v1/referrals/{ps_concluded}/outcome_notice.pdf                  gz 200       200       200   200     200     404     404    200     200     200     200      404    401
GET    /api/v1/referrals/{ps_concluded}/outcome_notice.pdf                  sz 404       404       404   404     404     404     404    404     404     200     200      404    401
POST   /api/v1/referrals/{received}/actions/nonsense/                       gz 404       404       404   404     404     404     404    404     404     404     404      404    401
# ── API v1: takedowns ──
GET    /api/v1/takedowns/ ∋ id={takedown}                                   gz 200+      200+      200+  200-    200-    200-    200+   200-    200+    200+    200-     200-   401
GET    /api/v1/takedowns/ ∋ id={takedown}                                   sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200-     200-   401
GET    /api/v1/takedowns/{takedown}/                                        gz 200       200       200   404     404     404     200    404     200     200     404      404    401
GET    /api/v1/takedowns/{takedown}/                                        sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/takedowns/{takedown}/actions/block/                          gz 403       403       403   404     404     404     200    404     403     403     404      404    401
POST   /api/v1/takedowns/{takedown}/actions/block/                          sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/takedowns/{takedown}/actions/refuse/                         gz 403       403       403   404     404     404     200    404     403     403     404      404    401
POST   /api/v1/takedowns/{takedown}/actions/refuse/                         sz 404       404       404   404     404     404     404    404     404     403     404      404    401
# ── API v1: tasks and notifications ──
GET    /api/v1/tasks/ ∋ referral={proposed}                                 gz 200-      200-      200+  200-    200-    200-    200-   200-    200-    200-    200-     200-   401
GET    /api/v1/tasks/ ∋ referral={received}                                 gz 200-      200-      200-  200-    200+    200-    200-   200-    200-    200-    200-     200-   401
GET    /api/v1/tasks/ ∋ referral={received}                                 sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   401
GET    /api/v1/jobs/ ∋ id={job}                                             gz 200+      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   401
GET    /api/v1/jobs/ ∋ id={job}                                             sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   401
GET    /api/v1/jobs/{job}/                                                  gz 200       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/jobs/{job}/                                                  sz 404       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/jobs/{job}/result/                                           gz 200       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/jobs/{job}/result/                                           sz 404       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/jobs/{job}/rejected/                                         gz 200       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/jobs/{job}/rejected/                                         sz 404       404       404   404     404     404     404    404     404     404     404      404    401
# 认领/退回: {task} is the head's decision on the `proposed` referral (never its proposer, officer1).
POST   /api/v1/tasks/{task}/claim/                                          gz 403       403       200   404     404     404     404    404     404     404     404      404    401
POST   /api/v1/tasks/{task}/release/                                        gz 403       403       409   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/notifications/ ∋ id={notification}                           gz 200+      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   401
GET    /api/v1/notifications/ ∋ id={notification}                           sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   401
POST   /api/v1/notifications/{notification}/read/                           gz 200       404       404   404     404     404     404    404     404     404     404      404    401
POST   /api/v1/notifications/{notification}/read/                           sz 404       404       404   404     404     404     404    404     404     404     404      404    401
POST   /api/v1/notifications/read-all/                                      -  200       200       200   200     200     200     200    200     200     200     200      200    401
GET    /api/v1/notifications/preferences/                                   -  200       200       200   200     200     200     200    200     200     200     200      200    401
PUT    /api/v1/notifications/preferences/                                   -  200       200       200   200     200     200     200    200     200     200     200      200    401
# ── API v1: oversight ──
GET    /api/v1/reports/monthly/?region={region}&month=2018-09               gz 404       404       404   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/reports/monthly/?region={region}&month=2018-09               sz 404       404       404   404     404     404     404    404     404     200     404      404    401
# The form's file made by a job (202 with the job), for whoever may download it.
POST   /api/v1/reports/monthly/export/                                      gz 404       404       404   404     404     404     404    404     202     202     404      404    401
POST   /api/v1/reports/monthly/export/                                      sz 404       404       404   404     404     404     404    404     404     202     404      404    401
POST   /api/v1/reports/monthly/submit/                                      gz 404       404       404   404     404     404     404    404     200     403     404      404    401
POST   /api/v1/reports/monthly/submit/                                      sz 404       404       404   404     404     404     404    404     404     403     404      404    401
PUT    /api/v1/reports/self-inspection/                                     gz 404       404       404   404     404     404     404    404     200     403     404      404    401
PUT    /api/v1/reports/self-inspection/                                     sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/reports/monthly/return/                                      gz 404       404       404   404     404     404     404    404     403     200     404      404    401
POST   /api/v1/reports/monthly/return/                                      sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/reports/monthly/scan/?region={region}&month=2018-10          gz 404       404       404   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/reports/monthly/scan/?region={region}&month=2018-10          sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/reports/monthly/scan/                                        gz 404       404       404   404     404     404     404    404     409     403     404      404    401
POST   /api/v1/reports/monthly/scan/                                        sz 404       404       404   404     404     404     404    404     404     403     404      404    401
GET    /api/v1/reports/returns/                                             -  404       404       404   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/reports/returns/{region}/plan/                               gz 404       404       404   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/reports/returns/{region}/plan/                               sz 404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/reports/returns/{region}/plan/file/                          gz 404       404       404   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/reports/returns/{region}/plan/file/                          sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/reports/returns/{region}/plan/return/                        gz 404       404       404   404     404     404     404    404     403     200     404      404    401
POST   /api/v1/reports/returns/{region}/plan/return/                        sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/reports/returns/                                             gz 404       404       404   404     404     404     404    404     201     403     404      404    401
POST   /api/v1/reports/returns/                                             sz 404       404       404   404     404     404     404    404     404     403     404      404    401
GET    /api/v1/reports/submissions/?month=2018-09                           -  404       404       404   404     404     404     404    404     404     200     404      404    401
GET    /api/v1/risks/unreferred-findings/ ∋ case={case}                     gz 403       403       403   403     403     403     403    403     200+    200+    403      403    401
GET    /api/v1/risks/unreferred-findings/ ∋ case={case}                     sz 403       403       403   403     403     403     403    403     200-    200+    403      403    401
GET    /api/v1/risks/nonsense/                                              -  404       404       404   404     404     404     404    404     404     404     404      404    401
GET    /api/v1/typical/                                                     -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /api/v1/audit/runs/                                                  -  403       403       403   403     403     403     403    403     403     200     403      403    401
GET    /api/v1/listings/ ∋ id={listing}                                     gz 200+      200+      200+  200-    200-    200-    200-   200-    200+    200+    200-     200-   401
GET    /api/v1/listings/ ∋ id={listing}                                     sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200-     200-   401
POST   /api/v1/listings/                                                    gz 403       403       403   404     404     404     404    404     201     201     404      404    401
POST   /api/v1/listings/                                                    sz 404       404       404   404     404     404     404    404     404     201     404      404    401
GET    /api/v1/listings/{listing}/                                          gz 200       200       200   404     404     404     404    404     200     200     404      404    401
GET    /api/v1/listings/{listing}/                                          sz 404       404       404   404     404     404     404    404     404     200     404      404    401
POST   /api/v1/listings/{listing}/actions/report_progress/                  gz 403       403       200   404     404     404     404    404     403     403     404      404    401
POST   /api/v1/listings/{listing}/actions/report_progress/                  sz 404       404       404   404     404     404     404    404     404     403     404      404    401
POST   /api/v1/listings/{listing}/actions/review/                           gz 403       403       403   404     404     404     404    404     200     200     404      404    401
POST   /api/v1/listings/{listing}/actions/review/                           sz 404       404       404   404     404     404     404    404     404     200     404      404    401
# ── API v1: certificates ──
POST   /api/v1/certificates/verify/                                         -  200       200       200   200     200     200     200    200     200     200     200      200    401
POST   /api/v1/certificates/leads/                                          gz 201       201       201   403     403     201     403    403     403     403     403      403    401
POST   /api/v1/certificates/leads/                                          sz 400       400       400   403     403     400     403    403     403     403     403      403    401
POST   /api/v1/certificates/leads/                                          -  201       201       201   403     403     201     403    403     403     403     403      403    401
# The registry keepers (certificates.import_certificates: guangzhou.head in the demo; superusers).
POST   /api/v1/certificates/imports/                                        -  403       403       202   403     403     403     403    403     403     403     403      202    401
# ── API schema ──
GET    /api/schema/                                                         -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /api/docs/                                                           -  200       200       200   200     200     200     200    200     200     200     200      200    200
# ── WebSocket ──
WS     /ws/notifications/?token=<own>                                       -  101       101       101   101     101     101     101    101     101     101     101      101    4401
WS     /ws/notifications/ session+origin                                    -  101       101       101   101     101     101     101    101     101     101     101      101    4401
WS     /ws/notifications/ session+foreign-origin                            -  1000      1000      1000  1000    1000    1000    1000   1000    1000    1000    1000     1000   1000
WS     /ws/notifications/ session-without-origin                            -  4401      4401      4401  4401    4401    4401    4401   4401    4401    4401    4401     4401   4401
WS     /ws/notifications/?token=<own>&since=0 ∋ {notification}              gz 101+      101-      101-  101-    101-    101-    101-   101-    101-    101-    101-     101-   4401
WS     /ws/notifications/?token=<own>&since=0 ∋ {notification}              sz 101-      101-      101-  101-    101-    101-    101-   101-    101-    101-    101-     101-   4401
WS     /ws/notifications/?token=<own> ∋ pushed-to-officer1                  gz 101+      101-      101-  101-    101-    101-    101-   101-    101-    101-    101-     101-   4401
WS     /ws/notifications/?token=<own> ∋ pushed-to-officer1                  sz 101-      101-      101-  101-    101-    101-    101-   101-    101-    101-    101-     101-   4401
# ── Web pages: tasks ──
GET    /                                                                    -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /tasks/                                                              -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /tasks/mine/ ∋ /referrals/referral/{proposed}/                       gz 200-      200-      200+  200-    200-    200-    200-   200-    200-    200-    200-     403    302
GET    /tasks/queue/ ∋ /referrals/referral/{proposed}/                      gz 200+      200+      200+  200-    200-    200-    200-   200-    200-    200-    200-     403    302
GET    /tasks/done/ ∋ /referrals/referral/{approved}/                       gz 200-      200-      200+  200-    200-    200-    200-   200-    200-    200-    200-     403    302
POST   /tasks/queue/{task}/claim/                                           gz 403       403       302   404     404     404     404    404     404     404     404      403    302
POST   /tasks/queue/{task}/release/                                         gz 403       403       302   404     404     404     404    404     404     404     404      403    302
# ── Web pages: cases ──
GET    /cases/                                                              -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /cases/case/?q={case.number} ∋ /cases/case/{case}/                   gz 200+      200+      200+  200-    200-    200-    200-   200-    200+    200+    200-     403    302
GET    /cases/case/?q={case.number} ∋ /cases/case/{case}/                   sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200-     403    302
GET    /cases/case/new/                                                     -  200       200       200   200     200     200     200    403     403     403     403      403    302
POST   /cases/case/new/                                                     gz 302       302       302   302     302     302     302    403     403     403     403      403    302
POST   /cases/case/new/                                                     sz 400       400       400   400     400     400     400    403     403     403     403      403    302
GET    /cases/case/{case}/                                                  gz 200       200       200   404     404     404     404    404     200     200     404      403    302
GET    /cases/case/{case}/                                                  sz 404       404       404   404     404     404     404    404     404     200     404      403    302
GET    /cases/case/{referred}/                                              gz 200       200       200   200     200     404     404    200     200     200     200      403    302
GET    /cases/case/{referred}/                                              sz 404       404       404   404     404     404     404    404     404     200     200      403    302
GET    /cases/case/{case}/casefile.pdf                                      gz 200       200       200   404     404     404     404    404     200     200     404      403    302
GET    /cases/case/{case}/casefile.pdf                                      sz 404       404       404   404     404     404     404    404     404     200     404      403    302
GET    /cases/case/{referred}/casefile.pdf                                  gz 200       200       200   200     200     404     404    200     200     200     200      403    302
GET    /cases/case/{referred}/casefile.pdf                                  sz 404       404       404   404     404     404     404    404     404     200     200      403    302
# The case page's button: the file made by a job, then its page.
POST   /cases/case/{case}/casefile.pdf                                      gz 302       302       302   404     404     404     404    404     302     302     404      403    302
POST   /cases/case/{case}/casefile.pdf                                      sz 404       404       404   404     404     404     404    404     404     302     404      403    302
POST   /cases/case/{referred}/casefile.pdf                                  gz 302       302       302   302     302     404     404    302     302     302     302      403    302
GET    /cases/case/{case}/add_person/                                       gz 200       403       200   404     404     404     404    404     403     403     404      403    302
GET    /cases/case/{case}/add_person/                                       sz 404       404       404   404     404     404     404    404     404     403     404      403    302
POST   /cases/case/{case}/add_person/                                       gz 302       403       302   404     404     404     404    404     403     403     404      403    302
POST   /cases/case/{case}/add_person/                                       sz 404       404       404   404     404     404     404    404     404     403     404      403    302
GET    /cases/case/{closed}/reopen/                                         gz 403       403       403   404     404     404     404    404     200     200     404      403    302
GET    /cases/case/{closed}/reopen/                                         sz 404       404       404   404     404     404     404    404     404     200     404      403    302
GET    /cases/case/{case}/reassign/                                         gz 403       403       200   404     404     404     404    404     403     403     404      403    302
POST   /cases/case/{case}/notes/                                            gz 302       403       302   404     404     404     404    404     403     403     404      403    302
POST   /cases/case/{case}/notes/                                            sz 404       404       404   404     404     404     404    404     404     403     404      403    302
GET    /cases/case/{case}/nonsense/                                         gz 404       404       404   404     404     404     404    404     404     404     404      403    302
GET    /cases/case/{case}/propose/                                          gz 200       403       403   404     404     404     404    404     403     403     404      403    302
GET    /cases/case/{case}/propose/                                          sz 404       404       404   404     404     404     404    404     404     403     404      403    302
POST   /cases/case/{case}/propose/                                          gz 302       403       403   404     404     404     404    404     403     403     404      403    302
POST   /cases/case/{case}/files/upload/                                     gz 302       403       302   404     404     404     404    404     403     403     404      403    302
POST   /cases/case/{case}/files/upload/                                     sz 404       404       404   404     404     404     404    404     404     403     404      403    302
GET    /cases/listings/ ∋ /cases/listings/{listing}/                        gz 200+      200+      200+  200-    200-    200-    200-   200-    200+    200+    200-     403    302
GET    /cases/listings/ ∋ /cases/listings/{listing}/                        sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200-     403    302
GET    /cases/listings/{listing}/                                           gz 200       200       200   404     404     404     404    404     200     200     404      403    302
GET    /cases/listings/{listing}/                                           sz 404       404       404   404     404     404     404    404     404     200     404      403    302
POST   /cases/listings/{listing}/                                           gz 403       403       403   404     404     404     404    404     302     302     404      403    302
GET    /cases/listings/new/{bare}/                                          gz 403       403       403   404     404     404     404    404     200     200     404      403    302
GET    /cases/listings/new/{bare}/                                          sz 404       404       404   404     404     404     404    404     404     200     404      403    302
POST   /cases/listings/new/{bare}/                                          gz 403       403       403   404     404     404     404    404     302     302     404      403    302
POST   /cases/listings/new/{bare}/                                          sz 404       404       404   404     404     404     404    404     404     302     404      403    302
# Saved filters of the lists (core.lists): a user's own only; another user's is not found.
GET    /cases/filters/?list=referrals&query=status%3Dproposed               -  200       200       200   200     200     200     200    200     200     200     200      403    302
POST   /cases/filters/?list=referrals&query=status%3Dproposed               -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /cases/filters/?list=nonsense                                        -  404       404       404   404     404     404     404    404     404     404     404      403    302
GET    /cases/filters/999999/                                               -  404       404       404   404     404     404     404    404     404     404     404      403    302
POST   /cases/filters/999999/delete/                                        -  404       404       404   404     404     404     404    404     404     404     404      403    302
GET    /referrals/referral/?export=xlsx                                     -  200       200       200   200     200     200     200    200     200     200     200      403    302
GET    /referrals/referral/?sort=password                                   -  400       400       400   400     400     400     400    400     400     400     400      403    302
# ── Web pages: referrals ──
GET    /referrals/                                                          -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /referrals/referral/ ∋ /referrals/referral/{received}/               gz 200+      200+      200+  200+    200+    200-    200-   200+    200+    200+    200+     403    302
GET    /referrals/referral/ ∋ /referrals/referral/{received}/               sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200+    200+     403    302
GET    /referrals/referral/{proposed}/                                      gz 200       200       200   404     404     404     404    404     200     200     404      403    302
GET    /referrals/referral/{proposed}/                                      sz 404       404       404   404     404     404     404    404     404     200     404      403    302
GET    /referrals/referral/{received}/                                      gz 200       200       200   200     200     404     404    200     200     200     200      403    302
GET    /referrals/referral/{received}/                                      sz 404       404       404   404     404     404     404    404     404     200     200      403    302
GET    /referrals/referral/{received}/chart.svg                             gz 200       200       200   200     200     404     404    200     200     200     200      403    302
GET    /referrals/referral/{received}/chart.svg                             sz 404       404       404   404     404     404     404    404     404     200     200      403    302
GET    /referrals/referral/{proposed}/approve/                              gz 403       403       200   404     404     404     404    404     403     403     404      403    302
POST   /referrals/referral/{proposed}/approve/                              gz 403       403       302   404     404     404     404    404     403     403     404      403    302
POST   /referrals/referral/{proposed}/approve/                              sz 404       404       404   404     404     404     404    404     404     403     404      403    302
GET    /referrals/referral/{received}/accept/                               gz 403       403       403   403     200     404     404    403     403     403     403      403    302
POST   /referrals/referral/{received}/accept/                               gz 403       403       403   403     302     404     404    403     403     403     403      403    302
POST   /referrals/referral/{received}/accept/                               sz 404       404       404   404     404     404     404    404     404     403     403      403    302
GET    /referrals/referral/{received}/nonsense/                             gz 404       404       404   404     404     404     404    404     404     404     404      403    302
# ── Web pages: oversight ──
GET    /oversight/                                                          -  403       403       403   403     403     403     403    403     302     302     403      403    302
GET    /oversight/dashboard/                                                -  403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/monthly/?region={region}&month=2018-09                    gz 403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/monthly/?region={region}&month=2018-09                    sz 403       403       403   403     403     403     403    403     404     200     403      403    302
POST   /oversight/monthly/?region={region}&month=2018-09                    gz 403       403       403   403     403     403     403    403     302     403     403      403    302
# The export button (form=export): a job for whoever sees the region's form, then the job's page.
POST   /oversight/monthly/?region={region}&month=2018-09&export=xlsx        gz 403       403       403   403     403     403     403    403     302     302     403      403    302
POST   /oversight/monthly/?region={region}&month=2018-09&export=xlsx        sz 403       403       403   403     403     403     403    403     404     302     403      403    302
GET    /oversight/returns/                                                  -  403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/returns/{region}/plan/                                    gz 403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/returns/{region}/plan/                                    sz 403       403       403   403     403     403     403    403     404     200     403      403    302
POST   /oversight/returns/{region}/plan/                                    gz 403       403       403   403     403     403     403    403     403     302     403      403    302
POST   /oversight/returns/{region}/plan/                                    sz 403       403       403   403     403     403     403    403     404     302     403      403    302
GET    /oversight/network/{case}/                                           gz 403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/network/{case}/                                           sz 403       403       403   403     403     403     403    403     404     200     403      403    302
GET    /oversight/audit/                                                    -  403       403       403   403     403     403     403    403     403     200     403      403    302
GET    /oversight/verifications/                                            -  403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/risks/unreferred-findings/                                -  403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/risks/nonsense/                                           -  403       403       403   403     403     403     403    403     404     404     403      403    302
GET    /oversight/typical/new/{closed}/                                     gz 403       403       403   403     403     403     403    403     200     200     403      403    302
GET    /oversight/typical/new/{closed}/                                     sz 403       403       403   403     403     403     403    403     404     200     403      403    302
POST   /oversight/typical/new/{closed}/                                     gz 403       403       403   403     403     403     403    403     302     302     403      403    302
POST   /oversight/typical/new/{closed}/                                     sz 403       403       403   403     403     403     403    403     404     302     403      403    302
# ── Web pages: certificates ──
GET    /certificates/                                                       -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /certificates/check/                                                 -  200       200       200   200     200     200     200    200     200     200     200      403    302
POST   /certificates/check/                                                 -  200       200       200   200     200     200     200    200     200     200     200      403    302
GET    /certificates/roster/                                                -  200       200       200   403     403     403     403    403     403     403     403      403    302
POST   /certificates/roster/                                                -  302       302       302   403     403     403     403    403     403     403     403      403    302
GET    /certificates/roster/{roster}/                                       gz 200       404       404   404     404     404     404    404     404     404     404      403    302
GET    /certificates/roster/{roster}/                                       sz 404       404       404   404     404     404     404    404     404     404     404      403    302
GET    /certificates/roster/{roster}/results.xlsx                           gz 200       404       404   404     404     404     404    404     404     404     404      403    302
GET    /certificates/roster/{roster}/results.xlsx                           sz 404       404       404   404     404     404     404    404     404     404     404      403    302
POST   /certificates/roster/{roster}/lead/0/                                gz 302       404       404   404     404     404     404    404     404     404     404      403    302
POST   /certificates/roster/{roster}/lead/0/                                sz 404       404       404   404     404     404     404    404     404     404     404      403    302
GET    /certificates/import/                                                -  403       403       200   403     403     403     403    403     403     403     403      403    302
POST   /certificates/import/                                                -  403       403       302   403     403     403     403    403     403     403     403      403    302
# ── Web pages: jobs (a job is its owner's alone: 404 for anyone else) ──
GET    /jobs/ ∋ {job.source_name}                                           gz 200+      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   302
GET    /jobs/ ∋ {job.source_name}                                           sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     200-   302
GET    /jobs/{job}/                                                         gz 200       404       404   404     404     404     404    404     404     404     404      404    302
GET    /jobs/{job}/                                                         sz 404       404       404   404     404     404     404    404     404     404     404      404    302
GET    /jobs/{job}/result/                                                  gz 200       404       404   404     404     404     404    404     404     404     404      404    302
GET    /jobs/{job}/result/                                                  sz 404       404       404   404     404     404     404    404     404     404     404      404    302
GET    /jobs/{job}/rejected.csv                                             gz 200       404       404   404     404     404     404    404     404     404     404      404    302
GET    /jobs/{job}/rejected.csv                                             sz 404       404       404   404     404     404     404    404     404     404     404      404    302
# ── Web pages: notifications ──
GET    /notices/                                                            -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /notices/list/ ∋ {notification.title}                                gz 200+      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     403    302
GET    /notices/list/ ∋ {notification.title}                                sz 200-      200-      200-  200-    200-    200-    200-   200-    200-    200-    200-     403    302
POST   /notices/read-all/                                                   -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /notices/{notification}/open/                                        gz 302       404       404   404     404     404     404    404     404     404     404      403    302
GET    /notices/{notification}/open/                                        sz 404       404       404   404     404     404     404    404     404     404     404      403    302
GET    /notices/settings/                                                   -  200       200       200   200     200     200     200    200     200     200     200      403    302
POST   /notices/settings/                                                   -  302       302       302   302     302     302     302    302     302     302     302      403    302
# ── Accounts, public pages, languages ──
GET    /accounts/login/                                                     -  200       200       200   200     200     200     200    200     200     200     200      200    200
POST   /accounts/logout/                                                    -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /accounts/password_change/                                           -  200       200       200   200     200     200     200    200     200     200     200      200    302
GET    /accounts/password_change/done/                                      -  200       200       200   200     200     200     200    200     200     200     200      200    302
GET    /accounts/password_reset/                                            -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /accounts/password_reset/done/                                       -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /accounts/reset/MQ/set-password/                                     -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /accounts/reset/done/                                                -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /accounts/profile/                                                   -  200       200       200   200     200     200     200    200     200     200     200      200    302
GET    /accounts/otp/                                                       -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /accounts/otp/setup/                                                 -  200       200       200   200     200     200     200    200     200     200     200      200    302
POST   /accounts/otp/disable/                                               -  302       302       302   302     302     302     302    302     302     302     302      302    302
POST   /accounts/token/revoke/                                              -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /public/typical/                                                     -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /public/check/                                                       -  200       200       200   200     200     200     200    200     200     200     200      200    200
POST   /public/check/                                                       -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /public/tip/                                                         -  200       200       200   200     200     200     200    200     200     200     200      200    200
POST   /public/tip/                                                         -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /public/tip/track/?code=NOSUCHCODE                                   -  404       404       404   404     404     404     404    404     404     404     404      404    404
GET    /favicon.ico                                                         -  200       200       200   200     200     200     200    200     200     200     200      200    200
GET    /healthz                                                             -  200       200       200   200     200     200     200    200     200     200     200      200    200
# The tip behind a case (tests/certificates/test_tips.py asks each role about a real one).
GET    /tips/999999/                                                        -  404       404       404   404     404     404     404    404     404     404     404      404    302
POST   /tips/999999/                                                        -  404       404       404   404     404     404     404    404     404     404     404      404    302
POST   /i18n/setlang/                                                       -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /jsi18n/                                                             -  200       200       200   200     200     200     200    200     200     200     200      200    200
# ── Administration (staff only) ──
GET    /admin/                                                              -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/login/                                                        -  302       302       302   302     302     302     302    302     302     302     302      302    302
POST   /admin/logout/                                                       -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/password_change/                                              -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/password_change/done/                                         -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/autocomplete/                                                 -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/jsi18n/                                                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/r/{event_type}/{event}/                                       gz 302       302       302   302     302     302     302    302     302     302     302      404    302
GET    /admin/cases/                                                        -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/nonsense/                                                     -  302       302       302   302     302     302     302    302     302     302     302      404    302
GET    /admin/auth/group/                                                   -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/group/add/                                               -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/group/{group}/                                           gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/auth/group/{group}/change/                                    gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/group/{group}/history/                                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/group/{group}/delete/                                    gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/user/                                                    -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/user/add/                                                -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/user/{user}/                                             gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/auth/user/{user}/change/                                      gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/user/{user}/password/                                    gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/user/{user}/history/                                     gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/auth/user/{user}/delete/                                      gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/knox/authtoken/                                               -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/knox/authtoken/add/                                           -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/knox/authtoken/{knox}/                                        gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/knox/authtoken/{knox}/change/                                 gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/knox/authtoken/{knox}/history/                                gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/knox/authtoken/{knox}/delete/                                 gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/accounts/enrolmentcode/                                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/accounts/enrolmentcode/add/                                   -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/accounts/enrolmentcode/{enrolment}/                           gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/accounts/enrolmentcode/{enrolment}/change/                    gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/accounts/enrolmentcode/{enrolment}/history/                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/accounts/enrolmentcode/{enrolment}/delete/                    gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_static/staticdevice/                                      -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_static/staticdevice/add/                                  -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_static/staticdevice/{static}/                             gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/otp_static/staticdevice/{static}/change/                      gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_static/staticdevice/{static}/history/                     gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_static/staticdevice/{static}/delete/                      gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/process/                                             -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/process/add/                                         -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/viewflow/process/{process}/                                   gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/viewflow/process/{process}/change/                            gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/process/{process}/history/                           gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/process/{process}/delete/                            gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/task/                                                -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/task/add/                                            -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/viewflow/task/{task}/                                         gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/viewflow/task/{task}/change/                                  gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/task/{task}/history/                                 gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/viewflow/task/{task}/delete/                                  gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/region/                                              -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/region/add/                                          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/region/{region}/                                     gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/agencies/region/{region}/change/                              gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/region/{region}/history/                             gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/region/{region}/delete/                              gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/agency/                                              -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/agency/add/                                          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/agency/{agency}/                                     gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/agencies/agency/{agency}/change/                              gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/agency/{agency}/history/                             gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/agency/{agency}/delete/                              gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/membership/                                          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/membership/add/                                      -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/membership/{membership}/                             gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/agencies/membership/{membership}/change/                      gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/membership/{membership}/history/                     gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/agencies/membership/{membership}/delete/                      gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/legalbasis/                                             -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/legalbasis/add/                                         -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/legalbasis/{legal_basis}/                               gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/cases/legalbasis/{legal_basis}/change/                        gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/legalbasis/{legal_basis}/history/                       gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/legalbasis/{legal_basis}/delete/                        gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/event/                                                  -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/event/add/                                              -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/cases/event/{event}/                                          gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/cases/event/{event}/change/                                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/event/{event}/history/                                  gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/event/{event}/delete/                                   gz 302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/cases/idnumberview/                                           -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/idnumberview/add/                                       -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/cases/idnumberview/{id_view}/                                 gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/cases/idnumberview/{id_view}/change/                          gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/idnumberview/{id_view}/history/                         gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/cases/idnumberview/{id_view}/delete/                          gz 302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/oversight/campaign/                                           -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/oversight/campaign/add/                                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/oversight/campaign/{campaign}/                                gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/oversight/campaign/{campaign}/change/                         gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/oversight/campaign/{campaign}/history/                        gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/oversight/campaign/{campaign}/delete/                         gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/workflows/calendaryear/                                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/workflows/calendaryear/add/                                   -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/workflows/calendaryear/{calendar_year}/                       gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/workflows/calendaryear/{calendar_year}/change/                gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/workflows/calendaryear/{calendar_year}/history/               gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/workflows/calendaryear/{calendar_year}/delete/                gz 302       302       302   302     302     302     302    302     302     302     302      200    302
# The e-mails of notifications: read-only, sent again by an admin action (tests/notifications/test_delivery.py).
GET    /admin/notifications/                                                -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/                                           -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/clockedschedule/                           -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/clockedschedule/add/                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/clockedschedule/999999/                    -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/clockedschedule/999999/change/             -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/clockedschedule/999999/history/            -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/clockedschedule/999999/delete/             -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/crontabschedule/                           -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/crontabschedule/add/                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/crontabschedule/999999/                    -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/crontabschedule/999999/change/             -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/crontabschedule/999999/history/            -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/crontabschedule/999999/delete/             -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/intervalschedule/                          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/intervalschedule/add/                      -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/intervalschedule/999999/                   -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/intervalschedule/999999/change/            -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/intervalschedule/999999/history/           -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/intervalschedule/999999/delete/            -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/periodictask/                              -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/periodictask/add/                          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/periodictask/999999/                       -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/periodictask/999999/change/                -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/periodictask/999999/history/               -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/periodictask/999999/delete/                -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/solarschedule/                             -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/solarschedule/add/                         -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/django_celery_beat/solarschedule/999999/                      -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/solarschedule/999999/change/               -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/solarschedule/999999/history/              -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/django_celery_beat/solarschedule/999999/delete/               -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/jobs/                                                         -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/jobs/job/                                                     -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/jobs/job/add/                                                 -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/jobs/job/999999/                                              -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/jobs/job/999999/change/                                       -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/jobs/job/999999/history/                                      -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/jobs/job/999999/delete/                                       -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/notifications/delivery/                                       -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/notifications/delivery/?status__exact=dead&q=example          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/notifications/delivery/add/                                   -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/notifications/delivery/999999/                                -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/notifications/delivery/999999/change/                         -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/notifications/delivery/999999/history/                        -  302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/notifications/delivery/999999/delete/                         -  302       302       302   302     302     302     302    302     302     302     302      403    302
# ── Administration: logins and second factors ──
GET    /admin/axes/accessattempt/                                           -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessattempt/add/                                       -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/axes/accessattempt/{access_attempt}/                          gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/axes/accessattempt/{access_attempt}/change/                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessattempt/{access_attempt}/history/                  gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessattempt/{access_attempt}/delete/                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accesslog/                                               -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accesslog/add/                                           -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/axes/accesslog/{access_log}/                                  gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/axes/accesslog/{access_log}/change/                           gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accesslog/{access_log}/history/                          gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accesslog/{access_log}/delete/                           gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessfailurelog/                                        -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessfailurelog/add/                                    -  302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/axes/accessfailurelog/{failure_log}/                          gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/axes/accessfailurelog/{failure_log}/change/                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessfailurelog/{failure_log}/history/                  gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/axes/accessfailurelog/{failure_log}/delete/                   gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_totp/totpdevice/                                          -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_totp/totpdevice/add/                                      -  302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_totp/totpdevice/{totp}/                                   gz 302       302       302   302     302     302     302    302     302     302     302      302    302
GET    /admin/otp_totp/totpdevice/{totp}/change/                            gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_totp/totpdevice/{totp}/history/                           gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_totp/totpdevice/{totp}/delete/                            gz 302       302       302   302     302     302     302    302     302     302     302      200    302
GET    /admin/otp_totp/totpdevice/{totp}/config/                            gz 302       302       302   302     302     302     302    302     302     302     302      403    302
GET    /admin/otp_totp/totpdevice/{totp}/qrcode/                            gz 302       302       302   302     302     302     302    302     302     302     302      403    302
"""

# Bugs found by the matrix whose fix lies in a file this suite does not own: the cell holds the
# correct code and fails (strict xfail) until the fix lands; then delete the entry.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _today(days=0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _roster_csv():
    return SimpleUploadedFile("名册.csv", "number,name\nT404,查无此证\n".encode(), content_type="text/csv")


def _registry_csv():
    header = "number,name,id_number,category,item,issued_on,expires_on,reviewed_on,authority,status"
    return SimpleUploadedFile("证书库.csv", f"{header}\nT404,查无此证,,electrical,x,2022-01-01,,,x,\n".encode())


_REASON = {"reason": "矩阵测试理由"}
# Request bodies, by `METHOD path` as in the table; each a function of the row's city (world.City;
# None for a row without a city).
BODIES = {
    "POST /api/v1/auth/token/": lambda w: {},
    "POST /cases/filters/?list=referrals&query=status%3Dproposed": lambda w: {"name": "矩阵筛选"},
    "POST /api/v1/cases/search/": lambda w: {"q": w.referred.persons.get().id_number},
    "POST /api/v1/cases/": lambda w: {
        "source": "tip",
        "region": w.region.code,
        "party": {"kind": "intermediary", "name": "矩阵违法中介"},
        "summary": "兜售假证",
    },
    "POST /api/v1/cases/{case}/evidence/": lambda w: {"file": pdf_upload()},
    "POST /api/v1/cases/{closed}/typical/": lambda w: {"title": "持假证上岗典型案例"},
    "POST /api/v1/cases/{lead}/actions/open/": lambda w: {"handlers": [f"{w.slug}.officer1", f"{w.slug}.officer2"]},
    "POST /api/v1/cases/{lead}/actions/decline/": lambda w: _REASON,
    "POST /api/v1/cases/{case}/actions/add_person/": lambda w: {
        "name": "赵六",
        "id_number": "11010519491231002X",
        "role": "holder",
    },
    "POST /api/v1/cases/{case}/actions/record_finding/": lambda w: {
        "kind": "unlicensed_operation",
        "person": w.person.pk,
    },
    "POST /api/v1/cases/{case}/actions/order_rectification/": lambda w: {"deadline": _today(7), "items": "整改"},
    "POST /api/v1/cases/{case}/actions/correct/": lambda w: {
        "target": "case",
        "field": "summary",
        "value": "矩阵测试更正",
        "reason": "录入有误",
    },
    "POST /api/v1/cases/{bare}/actions/extend_decision_period/": lambda w: {
        "until": (datetime.date.today() + datetime.timedelta(days=200)).isoformat(),
        "reason": "案情复杂",
    },
    "POST /api/v1/cases/{case}/actions/approve_correction/": lambda w: {"correction": w.correction.pk, "approve": True},
    "POST /api/v1/cases/{case}/actions/endorse_correction/": lambda w: {
        "correction": w.endorsement.pk,
        "approve": True,
    },
    "POST /api/v1/cases/{case}/actions/verify_rectification/": lambda w: {"order": w.rectification.pk, "passed": True},
    "POST /api/v1/cases/{case}/actions/suspend_production/": lambda w: {
        "reason": "逾期未改正",
        "starts_on": _today(),
        "amount": "100000.00",
        "finding": w.fresh_act,
    },
    "POST /api/v1/cases/{case}/actions/lift_suspension/": lambda w: {"suspension": w.suspension.pk},
    "POST /api/v1/cases/{case}/actions/impose_fine/": lambda w: {"amount": "5000.00", "legal_basis": "AQSCF-97-7"},
    "POST /api/v1/cases/{case}/actions/record_payment/": lambda w: {
        "fine": w.fine.pk,
        "amount": str(w.fine.amount_due(timezone.localdate())),
    },
    "POST /api/v1/cases/{case}/actions/request_enforcement/": lambda w: {"fine": w.fine.pk},
    "POST /api/v1/cases/{case}/actions/propose_penalty/": lambda w: {
        "kinds": ["fine"],
        "amount": "20000.00",
        "legal_basis": "AQSCF-97-7",
        "finding": w.fresh_act,
        "violation_date": "2025-06-01",
        "facts": "使用伪造证书人员",
    },
    "POST /api/v1/cases/{case}/actions/approve_penalty/": lambda w: {"penalty": w.proposed_penalty.pk, "approve": True},
    "POST /api/v1/cases/{case}/actions/notify_penalty/": lambda w: {
        "penalty": w.approved_penalty.pk,
        "served_on": _today(),
        "method": "post",
    },
    "POST /api/v1/cases/{case}/actions/record_statement/": lambda w: {"penalty": w.notified_penalty.pk, "text": "申辩"},
    "POST /api/v1/cases/{case}/actions/request_hearing/": lambda w: {"penalty": w.hearing_right.pk},
    "POST /api/v1/cases/{case}/actions/schedule_hearing/": lambda w: {
        "penalty": w.hearing_requested.pk,
        "at": hearing_time(30).isoformat(),
        "place": "听证室",
        "officer": f"{w.slug}.legal",
    },
    "POST /api/v1/cases/{case}/actions/review_penalty/": lambda w: {"penalty": w.to_review.pk, "opinion": "同意"},
    "POST /api/v1/cases/{case}/actions/record_hearing/": lambda w: {"penalty": w.hearing_held.pk, "record": "笔录"},
    "POST /api/v1/cases/{case}/actions/decide_penalty/": lambda w: {"penalty": w.waived_penalty.pk, "note": "维持"},
    "POST /api/v1/cases/{case}/actions/serve_decision/": lambda w: {
        "penalty": w.unserved.pk,
        "served_on": _today(),
        "method": "in_person",
    },
    "POST /api/v1/cases/{case}/actions/issue_demand/": lambda w: {"fine": w.unpaid.pk, "served_on": _today()},
    "POST /api/v1/cases/{case}/actions/request_takedown/": lambda w: {
        "url": "http://another-fake.example/",
        "agency": f"{w.slug}-cyber",
    },
    "POST /api/v1/cases/{case}/actions/propose_referral/": lambda w: {"persons": [w.person.pk], "report": "涉嫌犯罪"},
    "POST /api/v1/cases/{bare}/actions/close/": lambda w: {"summary": "结案"},
    "POST /api/v1/cases/{case}/actions/reassign/": lambda w: {
        "handlers": [f"{w.slug}.officer1", f"{w.slug}.officer2"],
        **_REASON,
    },
    "POST /api/v1/cases/{case}/notes/": lambda w: {"text": "矩阵测试内部备注"},
    "POST /api/v1/tasks/{task}/release/": lambda w: {"reason": "矩阵测试退回"},
    "POST /cases/case/{case}/notes/": lambda w: {"text": "矩阵测试内部备注"},
    "POST /tasks/queue/{task}/release/": lambda w: {"reason": "矩阵测试退回"},
    "POST /api/v1/cases/{closed}/actions/reopen/": lambda w: _REASON,
    "POST /api/v1/referrals/{proposed}/actions/refuse/": lambda w: _REASON,
    "POST /api/v1/referrals/{refused}/actions/endorse_refusal/": lambda w: {"note": "同意不移送"},
    "POST /api/v1/referrals/{refused}/actions/order_transfer/": lambda w: {"note": "应当移送"},
    "POST /api/v1/referrals/{approved}/actions/transmit/": lambda w: {"documents": DOCS},
    "POST /api/v1/referrals/{transmitted}/actions/forward/": lambda w: {"police_agency": "foshan-police", **_REASON},
    "POST /api/v1/referrals/{received}/actions/accept/": lambda w: {"police_case_number": "矩阵立案001"},
    "POST /api/v1/referrals/{received}/actions/reject/": lambda w: _REASON,
    "POST /api/v1/referrals/{rejected}/actions/request_reconsideration/": lambda w: _REASON,
    "POST /api/v1/referrals/{reconsideration}/actions/decide_reconsideration/": lambda w: {
        "accept": False,
        **_REASON,
    },
    "POST /api/v1/referrals/{rejected}/actions/request_supervision/": lambda w: {
        "procuratorate": f"{w.slug}-procuratorate",
        **_REASON,
    },
    "POST /api/v1/referrals/{supervision}/actions/resolve_supervision/": lambda w: {
        "outcome": "reject",
        "note": "不予立案理由成立",
    },
    "POST /api/v1/referrals/{rejected}/actions/accept_rejection/": lambda w: _REASON,
    "POST /api/v1/referrals/{accepted}/actions/hand_over/": lambda w: {"items": "假证3本"},
    "POST /api/v1/referrals/{received}/actions/request_supplement/": lambda w: {"items": "鉴定意见"},
    "POST /api/v1/referrals/{supplement_requested}/actions/supplement/": lambda w: {
        "note": "已补充",
        "documents": [{"kind": "inspection_report", "title": "证件鉴定意见书"}],
    },
    "POST /api/v1/referrals/{received}/actions/decline_jurisdiction/": lambda w: _REASON,
    "POST /api/v1/referrals/{supervision}/actions/request_explanation/": lambda w: {"note": "请说明理由"},
    "POST /api/v1/referrals/{explaining}/actions/explain/": lambda w: _REASON,
    "POST /api/v1/referrals/{ps_accepted}/actions/record_outcome/": lambda w: {"outcome": "行政拘留十日"},
    "POST /api/v1/takedowns/{takedown}/actions/block/": lambda w: {"note": "已封堵"},
    "POST /api/v1/takedowns/{takedown}/actions/refuse/": lambda w: _REASON,
    "PUT /api/v1/notifications/preferences/": lambda w: {"preferences": [{"kind": "escalation", "email": False}]},
    "POST /notices/settings/": lambda w: {"email": ["reminder"]},  # the other kinds turned off
    "POST /api/v1/reports/monthly/submit/": lambda w: {
        "region": w.region.code,
        "month": "2018-09",
        "narrative": "工作",
        "reviewer": "王审核",
    },
    "POST /api/v1/reports/monthly/return/": lambda w: {"region": w.region.code, "month": "2018-10", "reason": "请核实"},
    "POST /api/v1/reports/monthly/export/": lambda w: {"region": w.region.code, "month": "2018-09", "format": "xlsx"},
    "POST /api/v1/reports/monthly/scan/": lambda w: {"region": w.region.code, "month": "2018-10", "file": pdf_upload()},
    "POST /api/v1/reports/returns/": lambda w: {"region": w.region.code, "kind": "summary", "text": "工作总结"},
    "POST /api/v1/reports/returns/{region}/plan/return/": lambda w: {"reason": "请补充职责分工"},
    "POST /oversight/returns/{region}/plan/": lambda w: {"do": "return", "return_reason": "请补充职责分工"},
    "POST /api/v1/cases/{case}/actions/link_case/": lambda w: {"case_number": w.bare.number, "relation": "supplied"},
    "POST /api/v1/leads/report/": lambda w: {
        "region": "440100",
        "party": {"kind": "website", "name": "假冒网站", "url": "http://fake-matrix.example/"},
        "summary": "巡查发现",
    },
    "PUT /api/v1/reports/self-inspection/": lambda w: {"region": w.region.code, "month": "2018-09", "filled_by": "张"},
    "POST /api/v1/listings/": lambda w: {"case": w.bare.pk, "deadline": _today(30), "instructions": "限期查处"},
    "POST /api/v1/listings/{listing}/actions/report_progress/": lambda w: {"text": "已立案查处"},
    "POST /api/v1/listings/{listing}/actions/review/": lambda w: {"close": True, "note": "督办完成"},
    "POST /api/v1/certificates/verify/": lambda w: {"items": [{"number": "T0001", "name": "张三"}]},
    # Without a region the lead goes to the caller's own city.
    "POST /api/v1/certificates/leads/": lambda w: (
        {"number": "T0002", "name": "李四", "status": "not_found"} | ({"region": w.region.code} if w else {})
    ),
    "POST /cases/case/new/": lambda w: {
        "source": "tip",
        "region": w.region.code,
        "party_kind": "intermediary",
        "party_name": "矩阵违法中介",
        "summary": "兜售假证",
    },
    "POST /cases/case/{case}/add_person/": lambda w: {
        "name": "赵六",
        "id_number": "11010519491231002X",
        "role": "holder",
    },
    "POST /cases/case/{case}/propose/": lambda w: {"persons": [w.person.pk], "report": "涉嫌犯罪"},
    "POST /cases/case/{case}/files/upload/": lambda w: {"file": pdf_upload()},
    "POST /cases/listings/{listing}/": lambda w: {"form": "review", "close": "on", "note": "督办完成"},
    "POST /cases/listings/new/{bare}/": lambda w: {"deadline": _today(30), "instructions": "限期查处"},
    "POST /referrals/referral/{received}/accept/": lambda w: {
        "police_case_number": "矩阵立案002",
        "filed_on": timezone.localdate().isoformat(),
        "charge": "伪造、买卖国家机关证件罪",
        "filing_decision": pdf_upload("立案决定书.pdf"),
    },
    "POST /oversight/monthly/?region={region}&month=2018-09": lambda w: {
        "form": "submit",
        "narrative": "工作",
        "reviewer": "王审核",
        "confirm": "on",
    },
    "POST /oversight/typical/new/{closed}/": lambda w: {"title": "持假证上岗典型案例"},
    "POST /oversight/monthly/?region={region}&month=2018-09&export=xlsx": lambda w: {
        "form": "export",
        "format": "xlsx",
    },
    "POST /certificates/check/": lambda w: {"number": "T0003", "name": "王五"},
    "POST /certificates/roster/": lambda w: {"roster": _roster_csv()},
    "POST /certificates/import/": lambda w: {"file": _registry_csv()},
    "POST /api/v1/certificates/imports/": lambda w: {"file": _registry_csv()},
    "POST /public/check/": lambda w: {"number": "T0004", "name": "王五"},
    "POST /public/tip/": lambda w: {"city": "440100", "what": "某公司员工持假证上岗", "party_kind": "employer"},
    "POST /i18n/setlang/": lambda w: {"language": "en", "next": "/"},
}


@dataclass(frozen=True)
class Row:
    method: str
    spec: str  # the path, with its `∋ …` question if any
    city: str
    cells: dict[str, str]

    @property
    def path(self) -> str:
        return self.spec.split(" ∋ ")[0]

    @property
    def listed(self) -> str | None:
        return self.spec.split(" ∋ ")[1] if " ∋ " in self.spec else None

    @property
    def key(self) -> str:
        """`METHOD path` as BODIES names it."""
        return f"{self.method} {self.path}"

    @property
    def label(self) -> str:
        return f"{self.method} {self.spec}" + (f" [{self.city}]" if self.city != "-" else "")


CELL = re.compile(r"^(\d{3,4})([+-]?)$")


def parse(table: str = TABLE) -> list[Row]:
    rows, roles = [], list(ROLES)
    for line in table.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = line.split()
        cells = words[-len(roles) :]
        method, city, spec = words[0], words[-len(roles) - 1], " ".join(words[1 : -len(roles) - 1])
        assert city in ("gz", "sz", "-"), line
        assert all(CELL.match(c) for c in cells), line
        rows.append(Row(method, spec, city, dict(zip(roles, cells, strict=True))))
    labels = [r.label for r in rows]
    assert len(labels) == len(set(labels)), "a row is in the table twice"
    return rows
