<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="th_TH">
<context>
    <name></name>
    <message>
        <source>Most used</source>
        <translation>ใช้บ่อย</translation>
    </message>
    <message>
        <source>All</source>
        <translation>ทั้งหมด</translation>
    </message>
    <message>
        <source>Welfare</source>
        <translation>สวัสดิการ</translation>
    </message>
    <message>
        <source>Registration</source>
        <translation>จดทะเบียน</translation>
    </message>
    <message>
        <source>Permits</source>
        <translation>ขออนุญาต</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>แจ้ง</translation>
    </message>
    <message>
        <source>Taxes</source>
        <translation>ภาษี</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>นาที</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>ชั่วโมง</translation>
    </message>
    <message>
        <source>days</source>
        <translation>วัน</translation>
    </message>
    <message>
        <source>working days</source>
        <translation>วันทำการ</translation>
    </message>
    <message>
        <source>No fee</source>
        <translation>ไม่มีค่าธรรมเนียม</translation>
    </message>
    <message>
        <source>Fee {amount} baht</source>
        <translation>ค่าธรรมเนียม {amount} บาท</translation>
    </message>
    <message>
        <source>Fee depends on your request</source>
        <translation>ค่าธรรมเนียมขึ้นอยู่กับคำขอ</translation>
    </message>
    <message>
        <source>Reading your card…</source>
        <translation>กำลังอ่านบัตร…</translation>
    </message>
    <message>
        <source>Take the card out and insert it again, continue without the card, or ask the staff.</source>
        <translation>กรุณาดึงบัตรออกแล้วเสียบใหม่ หรือทำต่อโดยไม่ใช้บัตร หรือแจ้งเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>originals: {count}</source>
        <translation>ฉบับจริง {count} ฉบับ</translation>
    </message>
    <message>
        <source>copies: {count}</source>
        <translation>สำเนา {count} ฉบับ</translation>
    </message>
    <message>
        <source>Only: {condition}</source>
        <translation>เฉพาะ{condition}</translation>
    </message>
    <message>
        <source>Not needed when your ID card is read at this kiosk.</source>
        <translation>ไม่ต้องใช้ ถ้าเสียบบัตรประชาชนที่ตู้นี้</translation>
    </message>
    <message>
        <source>{amount} baht</source>
        <translation>{amount} บาท</translation>
    </message>
    <message>
        <source>set by the staff under the local ordinance</source>
        <translation>เจ้าหน้าที่กำหนดตามข้อบัญญัติท้องถิ่น</translation>
    </message>
    <message>
        <source>assessed by the officer later</source>
        <translation>เจ้าหน้าที่ประเมินภายหลัง</translation>
    </message>
    <message>
        <source>worked out from your form</source>
        <translation>คำนวณจากข้อมูลในคำขอ</translation>
    </message>
    <message>
        <source>This service needs your photo: it is read from your card.</source>
        <translation>บริการนี้ต้องใช้รูปถ่ายของท่าน ระบบจะอ่านรูปจากบัตรประชาชน</translation>
    </message>
    <message>
        <source>If you don&apos;t have a document</source>
        <translation>ถ้าท่านไม่มีเอกสารบางอย่าง</translation>
    </message>
    <message>
        <source>You can still send your request today. The staff will check your documents and list what is missing on a deficiency notice, which you and the staff both sign. You then have {days} days to bring it. The office&apos;s time limit starts only when your documents are complete; if they are not brought in time, the request is returned to you. Documents read from your ID card are not needed.</source>
        <translation>ท่านยังยื่นคำขอได้ในวันนี้ เจ้าหน้าที่จะตรวจเอกสารและบันทึกรายการที่ขาดไว้ในบันทึกความบกพร่อง ซึ่งท่านและเจ้าหน้าที่ลงนามร่วมกัน ท่านมีเวลา {days} วันในการนำเอกสารมาเพิ่ม ระยะเวลาดำเนินการของหน่วยงานจะเริ่มนับเมื่อเอกสารครบถ้วน หากไม่นำมาภายในกำหนด จะคืนคำขอให้ท่าน เอกสารที่อ่านจากบัตรประชาชนแล้วไม่ต้องนำมา</translation>
    </message>
    <message>
        <source>day/month/year, e.g. 15/04/2568</source>
        <translation>วัน/เดือน/ปี พ.ศ. เช่น 15/04/2568</translation>
    </message>
    <message>
        <source>13 digits</source>
        <translation>ตัวเลข 13 หลัก</translation>
    </message>
    <message>
        <source>e.g. 0812345678</source>
        <translation>เช่น 0812345678</translation>
    </message>
    <message>
        <source>{fee}: set by the staff</source>
        <translation>{fee}: เจ้าหน้าที่เป็นผู้กำหนด</translation>
    </message>
    <message>
        <source>{fee}: assessed by the officer later</source>
        <translation>{fee}: เจ้าหน้าที่ประเมินภายหลัง</translation>
    </message>
    <message>
        <source>{fee}: shown when the form is filled in</source>
        <translation>{fee}: จะแสดงเมื่อกรอกข้อมูลครบ</translation>
    </message>
    <message>
        <source>Total now: {amount} baht</source>
        <translation>รวมขณะนี้ {amount} บาท</translation>
    </message>
    <message>
        <source>Please check {count} field(s) marked in red.</source>
        <translation>กรุณาตรวจสอบ {count} ช่องที่มีกรอบสีแดง</translation>
    </message>
    <message>
        <source>Correct a field read from the card</source>
        <translation>แก้ไขข้อมูลที่อ่านจากบัตร</translation>
    </message>
    <message>
        <source>Why does “{field}” need correcting?</source>
        <translation>เหตุใดจึงต้องแก้ไข “{field}”</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>ชื่อ</translation>
    </message>
    <message>
        <source>Citizen ID</source>
        <translation>เลขประจำตัวประชาชน</translation>
    </message>
    <message>
        <source>Served first as</source>
        <translation>ได้รับบริการก่อนในฐานะ</translation>
    </message>
    <message>
        <source>to be checked by staff</source>
        <translation>รอเจ้าหน้าที่ตรวจ</translation>
    </message>
    <message>
        <source>received</source>
        <translation>ได้รับแล้ว</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>ขาด</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>ไม่ต้องใช้</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>บริการ</translation>
    </message>
    <message>
        <source>Time limit</source>
        <translation>ระยะเวลาดำเนินการ</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>ผู้ยื่นคำขอ</translation>
    </message>
    <message>
        <source>Your answers</source>
        <translation>ข้อมูลในคำขอ</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>เอกสาร</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>ค่าธรรมเนียม</translation>
    </message>
    <message>
        <source>The office will handle your request within {limit}, counted from the day your documents are complete.</source>
        <translation>หน่วยงานจะดำเนินการให้แล้วเสร็จภายใน {limit} นับจากวันที่เอกสารครบถ้วน</translation>
    </message>
    <message>
        <source>Some documents are missing: please bring them by {date}. Keep the deficiency notice.</source>
        <translation>ยังขาดเอกสารบางรายการ กรุณานำมายื่นภายในวันที่ {date} และเก็บบันทึกความบกพร่องไว้</translation>
    </message>
    <message>
        <source>Keep your ticket. You can check your request here with your ID card or this number.</source>
        <translation>กรุณาเก็บบัตรคิวไว้ ท่านตรวจสอบคำขอได้ที่ตู้นี้ด้วยบัตรประชาชนหรือเลขที่นี้</translation>
    </message>
    <message>
        <source>Scan to follow your request</source>
        <translation>สแกนเพื่อติดตามคำขอ</translation>
    </message>
    <message>
        <source>Printing your ticket…</source>
        <translation>กำลังพิมพ์บัตรคิว…</translation>
    </message>
    <message>
        <source>Your ticket has been printed. Please take it.</source>
        <translation>พิมพ์บัตรคิวแล้ว กรุณารับบัตรคิว</translation>
    </message>
    <message>
        <source>Please type the request number.</source>
        <translation>กรุณาพิมพ์เลขที่คำขอ</translation>
    </message>
    <message>
        <source>Looking up…</source>
        <translation>กำลังค้นหา…</translation>
    </message>
    <message>
        <source>Sent on {date}</source>
        <translation>ยื่นเมื่อ {date}</translation>
    </message>
    <message>
        <source>To pay: {amount} baht</source>
        <translation>ยอดที่ต้องชำระ {amount} บาท</translation>
    </message>
    <message>
        <source>Bring the missing documents by {date}</source>
        <translation>นำเอกสารที่ขาดมายื่นภายใน {date}</translation>
    </message>
    <message>
        <source>Due by {date}</source>
        <translation>กำหนดแล้วเสร็จ {date}</translation>
    </message>
    <message>
        <source>{count} request(s) found.</source>
        <translation>พบคำขอ {count} รายการ</translation>
    </message>
    <message>
        <source>No request found.</source>
        <translation>ไม่พบคำขอ</translation>
    </message>
    <message>
        <source>Printing the payment slip…</source>
        <translation>กำลังพิมพ์ใบแจ้งชำระเงิน…</translation>
    </message>
    <message>
        <source>The payment slip has been printed. Please take it.</source>
        <translation>พิมพ์ใบแจ้งชำระเงินแล้ว กรุณารับเอกสาร</translation>
    </message>
    <message>
        <source>Change the priority of a request</source>
        <translation>เปลี่ยนลำดับการให้บริการของคำขอ</translation>
    </message>
    <message>
        <source>Why is request {number} now served as “{priority}”?</source>
        <translation>เหตุใดคำขอ {number} จึงเปลี่ยนเป็น “{priority}”</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>ยังไม่ตรวจ</translation>
    </message>
    <message>
        <source>Printed.</source>
        <translation>พิมพ์แล้ว</translation>
    </message>
    <message>
        <source>Card reader: PC/SC service not running</source>
        <translation>เครื่องอ่านบัตร: บริการ PC/SC ไม่ทำงาน</translation>
    </message>
    <message>
        <source>Card reader: {names}</source>
        <translation>เครื่องอ่านบัตร: {names}</translation>
    </message>
    <message>
        <source>Card reader: none connected</source>
        <translation>เครื่องอ่านบัตร: ไม่ได้เชื่อมต่อ</translation>
    </message>
    <message>
        <source>Printer: checking…</source>
        <translation>เครื่องพิมพ์: กำลังตรวจสอบ…</translation>
    </message>
    <message>
        <source>Printer: {state}</source>
        <translation>เครื่องพิมพ์: {state}</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>กำลังเชื่อมต่อ…</translation>
    </message>
    <message>
        <source>Offline since {time}</source>
        <translation>ออฟไลน์ ตั้งแต่ {time} น.</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>ออฟไลน์</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>ออนไลน์</translation>
    </message>
    <message>
        <source>{count} waiting</source>
        <translation>รอส่ง {count}</translation>
    </message>
    <message>
        <source>Sync: not enrolled (kiosk enrol URL CODE), {count} waiting</source>
        <translation>ระบบกลาง: ตู้ยังไม่ได้ลงทะเบียน (kiosk enrol URL CODE) รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>Sync: offline (no server configured), {count} waiting</source>
        <translation>ระบบกลาง: ออฟไลน์ (ไม่ได้ตั้งค่าเซิร์ฟเวอร์) รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>Sync: connecting…, {count} waiting</source>
        <translation>ระบบกลาง: กำลังเชื่อมต่อ… รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>Sync: offline since {time}, {count} waiting</source>
        <translation>ระบบกลาง: ออฟไลน์ตั้งแต่ {time} น. รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>Sync: offline, {count} waiting</source>
        <translation>ระบบกลาง: ออฟไลน์ รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>Sync: online (last {time}), {count} waiting</source>
        <translation>ระบบกลาง: ออนไลน์ (ล่าสุด {time} น.) รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>Sync: online, {count} waiting</source>
        <translation>ระบบกลาง: ออนไลน์ รอส่ง {count} รายการ</translation>
    </message>
    <message>
        <source>{count} refused by the server</source>
        <translation>ระบบกลางไม่รับ {count} รายการ</translation>
    </message>
    <message>
        <source>last error: {error}</source>
        <translation>ข้อผิดพลาดล่าสุด: {error}</translation>
    </message>
    <message>
        <source>Time limit: {limit}</source>
        <translation>ระยะเวลาดำเนินการ {limit}</translation>
    </message>
    <message>
        <source>Documents to bring</source>
        <translation>เอกสารที่ต้องใช้</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>ขั้นตอน</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>ย้อนกลับ</translation>
    </message>
    <message>
        <source>I don&apos;t have a document</source>
        <translation>ไม่มีเอกสารบางอย่าง</translation>
    </message>
    <message>
        <source>Fill in the request</source>
        <translation>กรอกคำขอ</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>ได้รับแล้ว</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>ขาด</translation>
    </message>
    <message>
        <source>Not needed</source>
        <translation>ไม่ต้องใช้</translation>
    </message>
    <message>
        <source>Read from your ID card: no copy needed.</source>
        <translation>อ่านจากบัตรประชาชนแล้ว ไม่ต้องใช้สำเนา</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>ยังไม่ได้ตรวจ</translation>
    </message>
    <message>
        <source>Missing: it will be listed on the deficiency notice</source>
        <translation>ขาด: จะระบุไว้ในบันทึกความบกพร่อง</translation>
    </message>
    <message>
        <source>Not needed in your case</source>
        <translation>กรณีของท่านไม่ต้องใช้</translation>
    </message>
    <message>
        <source>Your documents</source>
        <translation>เอกสารของท่าน</translation>
    </message>
    <message>
        <source>The staff member will check each document with you.</source>
        <translation>เจ้าหน้าที่จะตรวจเอกสารแต่ละรายการร่วมกับท่าน</translation>
    </message>
    <message>
        <source>Staff: mark each document received or missing. Missing documents go on a deficiency notice.</source>
        <translation>เจ้าหน้าที่: กรุณาบันทึกเอกสารแต่ละรายการว่าได้รับแล้วหรือขาด รายการที่ขาดจะอยู่ในบันทึกความบกพร่อง</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>ถัดไป</translation>
    </message>
    <message>
        <source>Thank you for your feedback.</source>
        <translation>ขอบคุณสำหรับความคิดเห็น</translation>
    </message>
    <message>
        <source>Your request has been received</source>
        <translation>รับคำขอของท่านแล้ว</translation>
    </message>
    <message>
        <source>Your request number</source>
        <translation>เลขที่คำขอของท่าน</translation>
    </message>
    <message>
        <source>How was the service today?</source>
        <translation>ท่านพอใจบริการวันนี้เพียงใด</translation>
    </message>
    <message>
        <source>Very poor</source>
        <translation>ควรปรับปรุงมาก</translation>
    </message>
    <message>
        <source>Poor</source>
        <translation>ควรปรับปรุง</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>พอใช้</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>ตกลง</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>ดี</translation>
    </message>
    <message>
        <source>Very good</source>
        <translation>ดีมาก</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>เสร็จสิ้น</translation>
    </message>
    <message>
        <source>Fields marked * must be filled in.</source>
        <translation>ช่องที่มีเครื่องหมาย * ต้องกรอก</translation>
    </message>
    <message>
        <source>staff</source>
        <translation>เจ้าหน้าที่</translation>
    </message>
    <message>
        <source>from your ID card</source>
        <translation>จากบัตรประชาชน</translation>
    </message>
    <message>
        <source>Correct (staff)</source>
        <translation>แก้ไข (เจ้าหน้าที่)</translation>
    </message>
    <message>
        <source>— please choose —</source>
        <translation>— กรุณาเลือก —</translation>
    </message>
    <message>
        <source>Before we start: your personal data</source>
        <translation>ก่อนเริ่ม: ข้อมูลส่วนบุคคลของท่าน</translation>
    </message>
    <message>
        <source>What we read</source>
        <translation>ข้อมูลที่อ่าน</translation>
    </message>
    <message>
        <source>From your ID card: your ID number, name, date of birth and address. Your photo is read only if the service you choose needs it.</source>
        <translation>จากบัตรประชาชน: เลขประจำตัวประชาชน ชื่อ วันเกิด และที่อยู่ รูปถ่ายจะอ่านเฉพาะเมื่อบริการที่ท่านเลือกต้องใช้</translation>
    </message>
    <message>
        <source>Only what you type in: your ID number, name, address and the answers on the form.</source>
        <translation>เฉพาะข้อมูลที่ท่านกรอก: เลขประจำตัวประชาชน ชื่อ ที่อยู่ และคำตอบในแบบคำขอ</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>เพื่ออะไร</translation>
    </message>
    <message>
        <source>To fill in your request for you and to let the office contact you about it. Nothing else.</source>
        <translation>เพื่อกรอกคำขอให้ท่าน และให้หน่วยงานติดต่อท่านเรื่องคำขอนี้เท่านั้น</translation>
    </message>
    <message>
        <source>How long we keep it</source>
        <translation>เก็บไว้นานเท่าใด</translation>
    </message>
    <message>
        <source>This screen forgets everything as soon as you finish or take your card out. Your request is kept by the office as the law requires; the copy on this kiosk is deleted {days} days after the office&apos;s system has it.</source>
        <translation>หน้าจอนี้จะลบข้อมูลทั้งหมดทันทีเมื่อท่านทำรายการเสร็จหรือดึงบัตรออก คำขอของท่านหน่วยงานจะเก็บไว้ตามที่กฎหมายกำหนด ส่วนสำเนาในตู้นี้จะถูกลบภายใน {days} วันหลังจากระบบของหน่วยงานได้รับแล้ว</translation>
    </message>
    <message>
        <source>Your rights</source>
        <translation>สิทธิของท่าน</translation>
    </message>
    <message>
        <source>You may ask for a copy of your data or for a correction at the counter, and complain to the Personal Data Protection Committee. If you do not agree, tap Cancel: the staff can help you on paper.</source>
        <translation>ท่านขอสำเนาหรือขอแก้ไขข้อมูลของท่านได้ที่เคาน์เตอร์ และร้องเรียนต่อคณะกรรมการคุ้มครองข้อมูลส่วนบุคคลได้ หากไม่ยินยอม กด “ยกเลิก” เจ้าหน้าที่จะช่วยยื่นคำขอแบบกระดาษให้</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>ยกเลิก</translation>
    </message>
    <message>
        <source>I understand, continue</source>
        <translation>รับทราบ ทำต่อ</translation>
    </message>
    <message>
        <source>Reading your ID card</source>
        <translation>กำลังอ่านบัตรประชาชน</translation>
    </message>
    <message>
        <source>Card found</source>
        <translation>พบบัตรแล้ว</translation>
    </message>
    <message>
        <source>Reading your details…</source>
        <translation>กำลังอ่านข้อมูล…</translation>
    </message>
    <message>
        <source>Details read</source>
        <translation>อ่านข้อมูลแล้ว</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>เรียบร้อย</translation>
    </message>
    <message>
        <source>Please leave the card in the reader until you finish.</source>
        <translation>กรุณาเสียบบัตรค้างไว้จนกว่าจะทำรายการเสร็จ</translation>
    </message>
    <message>
        <source>Continue without the card</source>
        <translation>ทำต่อโดยไม่ใช้บัตร</translation>
    </message>
    <message>
        <source>Some documents are missing</source>
        <translation>ยังขาดเอกสารบางรายการ</translation>
    </message>
    <message>
        <source>Your request will still be received. You will get a deficiency notice listing what to bring, signed by you and the staff. Please bring it within {days} days, or the request is returned.</source>
        <translation>หน่วยงานยังรับคำขอของท่าน ท่านจะได้รับบันทึกความบกพร่องที่ระบุเอกสารที่ต้องนำมา ซึ่งท่านและเจ้าหน้าที่ลงนามร่วมกัน กรุณานำมายื่นภายใน {days} วัน มิฉะนั้นจะคืนคำขอ</translation>
    </message>
    <message>
        <source>Saving your request… please wait.</source>
        <translation>กำลังบันทึกคำขอ… กรุณารอสักครู่</translation>
    </message>
    <message>
        <source>Please check before sending</source>
        <translation>กรุณาตรวจสอบก่อนยื่นคำขอ</translation>
    </message>
    <message>
        <source>Send the request</source>
        <translation>ยื่นคำขอ</translation>
    </message>
    <message>
        <source>No service matches. Try other words, or ask the staff.</source>
        <translation>ไม่พบบริการ ลองใช้คำอื่น หรือสอบถามเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>What would you like to do today?</source>
        <translation>วันนี้ท่านต้องการติดต่อเรื่องใด</translation>
    </message>
    <message>
        <source>Search, e.g. allowance, tax, signboard</source>
        <translation>ค้นหา เช่น เบี้ยยังชีพ ภาษี ป้าย</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>เจ้าหน้าที่</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>ล้าง</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>ปิด</translation>
    </message>
    <message>
        <source>Please give a reason.</source>
        <translation>กรุณาระบุเหตุผล</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>เหตุผล</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>บันทึก</translation>
    </message>
    <message>
        <source>For your privacy the screen will be cleared in {seconds} seconds.</source>
        <translation>เพื่อความเป็นส่วนตัวของท่าน หน้าจอจะลบข้อมูลใน {seconds} วินาที</translation>
    </message>
    <message>
        <source>Are you still there?</source>
        <translation>ท่านยังทำรายการอยู่หรือไม่</translation>
    </message>
    <message>
        <source>Yes, I need more time</source>
        <translation>ยังทำอยู่ ขอเวลาเพิ่ม</translation>
    </message>
    <message>
        <source>Staff mode</source>
        <translation>โหมดเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>Give back</source>
        <translation>คืนให้ผู้ยื่น</translation>
    </message>
    <message>
        <source>Take over</source>
        <translation>ทำแทน</translation>
    </message>
    <message>
        <source>Open a case</source>
        <translation>เปิดคำขอ</translation>
    </message>
    <message>
        <source>End visit</source>
        <translation>จบรายการ</translation>
    </message>
    <message>
        <source>Demo card</source>
        <translation>บัตรสาธิต</translation>
    </message>
    <message>
        <source>Remove the demo card</source>
        <translation>ถอดบัตรสาธิต</translation>
    </message>
    <message>
        <source>Exit full screen</source>
        <translation>ออกจากเต็มจอ</translation>
    </message>
    <message>
        <source>Exit kiosk</source>
        <translation>ปิดตู้บริการ</translation>
    </message>
    <message>
        <source>Please remove the special or invisible characters from this field.</source>
        <translation>กรุณาลบอักขระพิเศษหรืออักขระที่มองไม่เห็นออกจากช่องนี้</translation>
    </message>
    <message>
        <source>This number has too many digits.</source>
        <translation>ตัวเลขนี้มีจำนวนหลักมากเกินไป</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>ล็อก</translation>
    </message>
    <message>
        <source>Print the payment slip</source>
        <translation>พิมพ์ใบแจ้งชำระเงิน</translation>
    </message>
    <message>
        <source>Open (staff)</source>
        <translation>เปิด (เจ้าหน้าที่)</translation>
    </message>
    <message>
        <source>Record deficiency</source>
        <translation>บันทึกความบกพร่อง</translation>
    </message>
    <message>
        <source>Record counter payment</source>
        <translation>รับชำระที่เคาน์เตอร์</translation>
    </message>
    <message>
        <source>Reprint ticket</source>
        <translation>พิมพ์บัตรคิวซ้ำ</translation>
    </message>
    <message>
        <source>Reprint receipt</source>
        <translation>พิมพ์ใบรับคำขอซ้ำ</translation>
    </message>
    <message>
        <source>Reprint deficiency notice</source>
        <translation>พิมพ์บันทึกความบกพร่องซ้ำ</translation>
    </message>
    <message>
        <source>Reprint payment slip</source>
        <translation>พิมพ์ใบแจ้งชำระเงินซ้ำ</translation>
    </message>
    <message>
        <source>Check a request</source>
        <translation>ตรวจสอบสถานะคำขอ</translation>
    </message>
    <message>
        <source>Insert your ID card, or type the request number from your ticket (e.g. K01-2569-00042).</source>
        <translation>เสียบบัตรประชาชน หรือพิมพ์เลขที่คำขอจากบัตรคิว (เช่น K01-2569-00042)</translation>
    </message>
    <message>
        <source>Request number</source>
        <translation>เลขที่คำขอ</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>ค้นหา</translation>
    </message>
    <message>
        <source>The card reader is not connected. You can start without a card, or ask the staff.</source>
        <translation>ยังไม่ได้เชื่อมต่อเครื่องอ่านบัตร ท่านเริ่มโดยไม่ใช้บัตรได้ หรือแจ้งเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>The card reader is not working right now. You can start without a card, or ask the staff.</source>
        <translation>เครื่องอ่านบัตรขัดข้องชั่วคราว ท่านเริ่มโดยไม่ใช้บัตรได้ หรือแจ้งเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>ยินดีต้อนรับ</translation>
    </message>
    <message>
        <source>Government services counter</source>
        <translation>จุดบริการประชาชน</translation>
    </message>
    <message>
        <source>Please insert your ID card</source>
        <translation>กรุณาเสียบบัตรประจำตัวประชาชน</translation>
    </message>
    <message>
        <source>Chip side up, into the reader below the screen. Leave it in until you finish.</source>
        <translation>หันด้านที่มีชิปขึ้น เสียบเข้าเครื่องอ่านบัตรใต้หน้าจอ และเสียบค้างไว้จนทำรายการเสร็จ</translation>
    </message>
    <message>
        <source>Start without a card</source>
        <translation>เริ่มโดยไม่ใช้บัตร</translation>
    </message>
    <message>
        <source>Check my request</source>
        <translation>ตรวจสอบคำขอของฉัน</translation>
    </message>
    <message>
        <source>Please tick this box to continue.</source>
        <translation>กรุณาทำเครื่องหมายในช่องนี้เพื่อดำเนินการต่อ</translation>
    </message>
    <message>
        <source>Please fill in this field.</source>
        <translation>กรุณากรอกช่องนี้</translation>
    </message>
    <message>
        <source>Please choose one of the options.</source>
        <translation>กรุณาเลือกหนึ่งตัวเลือก</translation>
    </message>
    <message>
        <source>A citizen ID has 13 digits.</source>
        <translation>เลขประจำตัวประชาชนต้องมี 13 หลัก</translation>
    </message>
    <message>
        <source>This citizen ID is not valid: please check each digit.</source>
        <translation>เลขประจำตัวประชาชนไม่ถูกต้อง กรุณาตรวจสอบทีละหลัก</translation>
    </message>
    <message>
        <source>Please enter a phone number of 9 or 10 digits starting with 0.</source>
        <translation>กรุณากรอกเบอร์โทรศัพท์ 9 หรือ 10 หลัก ขึ้นต้นด้วย 0</translation>
    </message>
    <message>
        <source>Please enter an e-mail address like name@example.com.</source>
        <translation>กรุณากรอกอีเมลในรูปแบบ name@example.com</translation>
    </message>
    <message>
        <source>Please enter the date as day/month/year, e.g. 15/04/2568.</source>
        <translation>กรุณากรอกวันที่เป็น วัน/เดือน/ปี พ.ศ. เช่น 15/04/2568</translation>
    </message>
    <message>
        <source>Please enter a whole number.</source>
        <translation>กรุณากรอกเป็นจำนวนเต็ม</translation>
    </message>
    <message>
        <source>Please enter a number.</source>
        <translation>กรุณากรอกเป็นตัวเลข</translation>
    </message>
    <message>
        <source>The number cannot be negative.</source>
        <translation>ตัวเลขต้องไม่ติดลบ</translation>
    </message>
    <message>
        <source>Amounts have at most two decimal places (satang).</source>
        <translation>จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (สตางค์)</translation>
    </message>
    <message>
        <source>The smallest value allowed is {min}.</source>
        <translation>ค่าต่ำสุดที่กรอกได้คือ {min}</translation>
    </message>
    <message>
        <source>The largest value allowed is {max}.</source>
        <translation>ค่าสูงสุดที่กรอกได้คือ {max}</translation>
    </message>
    <message>
        <source>Please enter at least {count} characters.</source>
        <translation>กรุณากรอกอย่างน้อย {count} ตัวอักษร</translation>
    </message>
    <message>
        <source>Please shorten this to at most {count} characters.</source>
        <translation>กรุณากรอกไม่เกิน {count} ตัวอักษร</translation>
    </message>
    <message>
        <source>This does not look right: please check it.</source>
        <translation>ข้อมูลนี้ดูไม่ถูกต้อง กรุณาตรวจสอบ</translation>
    </message>
    <message>
        <source>The fee cannot be worked out from what is entered yet.</source>
        <translation>ยังคำนวณค่าธรรมเนียมจากข้อมูลที่กรอกไม่ได้</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>ใช่</translation>
    </message>
    <message>
        <source>No</source>
        <translation>ไม่ใช่</translation>
    </message>
    <message>
        <source>Call staff</source>
        <translation>เรียกเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>Approve voiding a request</source>
        <translation>อนุมัติการยกเลิกคำขอ</translation>
    </message>
    <message>
        <source>Request {number}: a supervisor or an administrator, not you, enters their code and PIN.</source>
        <translation>คำขอ {number}: หัวหน้าหรือผู้ดูแลระบบซึ่งไม่ใช่ผู้ขอ ใส่รหัสเจ้าหน้าที่และ PIN ของตนเอง</translation>
    </message>
    <message>
        <source>Void a request</source>
        <translation>ยกเลิกคำขอ</translation>
    </message>
    <message>
        <source>Why is request {number} voided? A supervisor approves next.</source>
        <translation>เหตุใดจึงยกเลิกคำขอ {number} (หัวหน้าจะอนุมัติในขั้นถัดไป)</translation>
    </message>
    <message>
        <source>demo staff accounts in use</source>
        <translation>กำลังใช้บัญชีเจ้าหน้าที่สำหรับทดลอง</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>บันทึกการปฏิบัติงาน</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>เวลา</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>การดำเนินการ</translation>
    </message>
    <message>
        <source>Request / account</source>
        <translation>คำขอ / บัญชี</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>ตรวจสอบอีกครั้ง</translation>
    </message>
    <message>
        <source>Staff code</source>
        <translation>รหัสเจ้าหน้าที่</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>A staff member is on the way. Staff: enter your staff code and PIN.</source>
        <translation>เจ้าหน้าที่กำลังมาช่วยท่าน (สำหรับเจ้าหน้าที่: ใส่รหัสเจ้าหน้าที่และ PIN)</translation>
    </message>
    <message>
        <source>Void request</source>
        <translation>ยกเลิกคำขอ</translation>
    </message>
    <message>
        <source>counter staff</source>
        <translation>เจ้าหน้าที่เคาน์เตอร์</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>หัวหน้า</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>ผู้ดูแลระบบ</translation>
    </message>
    <message>
        <source>signed in</source>
        <translation>เข้าสู่ระบบ</translation>
    </message>
    <message>
        <source>sign-in refused</source>
        <translation>เข้าสู่ระบบไม่สำเร็จ</translation>
    </message>
    <message>
        <source>account locked after wrong PINs</source>
        <translation>บัญชีถูกล็อกเพราะใส่ PIN ผิดหลายครั้ง</translation>
    </message>
    <message>
        <source>signed out</source>
        <translation>ออกจากระบบ</translation>
    </message>
    <message>
        <source>approval refused</source>
        <translation>การอนุมัติไม่ผ่าน</translation>
    </message>
    <message>
        <source>account created</source>
        <translation>สร้างบัญชี</translation>
    </message>
    <message>
        <source>PIN changed</source>
        <translation>เปลี่ยน PIN</translation>
    </message>
    <message>
        <source>account disabled</source>
        <translation>ระงับบัญชี</translation>
    </message>
    <message>
        <source>account enabled</source>
        <translation>เปิดใช้บัญชี</translation>
    </message>
    <message>
        <source>account unlocked</source>
        <translation>ปลดล็อกบัญชี</translation>
    </message>
    <message>
        <source>request voided</source>
        <translation>ยกเลิกคำขอ</translation>
    </message>
    <message>
        <source>audit log viewed</source>
        <translation>เปิดดูบันทึกการปฏิบัติงาน</translation>
    </message>
    <message>
        <source>document marked</source>
        <translation>ตรวจเอกสาร</translation>
    </message>
    <message>
        <source>deficiency recorded</source>
        <translation>บันทึกเอกสารไม่ครบ</translation>
    </message>
    <message>
        <source>payment recorded</source>
        <translation>รับชำระเงิน</translation>
    </message>
    <message>
        <source>priority set</source>
        <translation>กำหนดลำดับการให้บริการ</translation>
    </message>
    <message>
        <source>card field corrected</source>
        <translation>แก้ไขข้อมูลจากบัตร</translation>
    </message>
    <message>
        <source>took over a visit</source>
        <translation>ดำเนินการแทนผู้ยื่น</translation>
    </message>
    <message>
        <source>gave a visit back</source>
        <translation>คืนให้ผู้ยื่นดำเนินการต่อ</translation>
    </message>
    <message>
        <source>reprinted a document</source>
        <translation>พิมพ์เอกสารซ้ำ</translation>
    </message>
    <message>
        <source>opened a request</source>
        <translation>เปิดดูคำขอ</translation>
    </message>
    <message>
        <source>request moved on</source>
        <translation>เปลี่ยนสถานะคำขอ</translation>
    </message>
    <message>
        <source>request created</source>
        <translation>สร้างคำขอ</translation>
    </message>
    <message>
        <source>started serving at a counter</source>
        <translation>เริ่มให้บริการที่ช่องบริการ</translation>
    </message>
    <message>
        <source>finished serving at a counter</source>
        <translation>ให้บริการที่ช่องบริการเสร็จ</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>อัตโนมัติ</translation>
    </message>
    <message>
        <source>end of visit</source>
        <translation>จบการใช้บริการ</translation>
    </message>
    <message>
        <source>approved by {staff}</source>
        <translation>อนุมัติโดย {staff}</translation>
    </message>
    <message>
        <source>Checking the chain…</source>
        <translation>กำลังตรวจสอบความต่อเนื่องของบันทึก…</translation>
    </message>
    <message>
        <source>No break in the chain: {count} entries checked. A change made without this kiosk&apos;s audit key would show here; entries cut off the end, or a log rewritten by someone with the key file, would not.</source>
        <translation>ไม่พบจุดขาดของบันทึก: ตรวจแล้ว {count} รายการ การแก้ไขที่ทำโดยไม่มีกุญแจบันทึกของตู้นี้จะแสดงที่นี่ แต่การตัดรายการท้ายออก หรือการเขียนบันทึกใหม่โดยผู้ที่มีไฟล์กุญแจ จะตรวจไม่พบ</translation>
    </message>
    <message>
        <source>WARNING: the audit log was tampered with. The chain breaks at entry {seq}.</source>
        <translation>คำเตือน: บันทึกการปฏิบัติงานถูกแก้ไข ความต่อเนื่องขาดที่รายการที่ {seq}</translation>
    </message>
    <message>
        <source>Sign in to the counter</source>
        <translation>เข้าสู่ระบบช่องบริการ</translation>
    </message>
    <message>
        <source>Your staff code and PIN. The counter opens when you sign in.</source>
        <translation>กรอกรหัสเจ้าหน้าที่และ PIN ช่องบริการจะเปิดเมื่อเข้าสู่ระบบ</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>เข้าสู่ระบบ</translation>
    </message>
    <message>
        <source>Transfer the ticket</source>
        <translation>โอนคิว</translation>
    </message>
    <message>
        <source>To the line of</source>
        <translation>ไปยังกลุ่มบริการ</translation>
    </message>
    <message>
        <source>To counter</source>
        <translation>ไปยังช่องบริการ</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>โอนคิว</translation>
    </message>
    <message>
        <source>Return a late ticket</source>
        <translation>รับคิวที่มาช้ากลับ</translation>
    </message>
    <message>
        <source>The ticket goes back into the line as if it were issued now.</source>
        <translation>คิวจะกลับเข้าแถวเหมือนเพิ่งรับบัตรคิว</translation>
    </message>
    <message>
        <source>Return to the line</source>
        <translation>กลับเข้าแถว</translation>
    </message>
    <message>
        <source>Set or clear priority</source>
        <translation>กำหนดหรือยกเลิกคิวพิเศษ</translation>
    </message>
    <message>
        <source>Ticket number</source>
        <translation>หมายเลขคิว</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>คิวพิเศษ</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>กลับมาให้บริการ</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>พัก</translation>
    </message>
    <message>
        <source>No-show (final)</source>
        <translation>ไม่มาตามเรียก (ครั้งสุดท้าย)</translation>
    </message>
    <message>
        <source>No-show (call again later)</source>
        <translation>ไม่มาตามเรียก (เรียกอีกครั้งภายหลัง)</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>ออกจากระบบ</translation>
    </message>
    <message>
        <source>Now at this counter</source>
        <translation>คิวที่ช่องนี้</translation>
    </message>
    <message>
        <source>Call next</source>
        <translation>เรียกคิวถัดไป</translation>
    </message>
    <message>
        <source>Call a number</source>
        <translation>เรียกหมายเลข</translation>
    </message>
    <message>
        <source>Call this ticket now, out of turn: a missed applicant who has come back.</source>
        <translation>เรียกบัตรคิวนี้ทันทีโดยไม่ต้องรอลำดับ สำหรับผู้ที่ไม่มาตามเรียกแล้วกลับมา</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>เรียก</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>เรียกซ้ำ</translation>
    </message>
    <message>
        <source>Start service</source>
        <translation>เริ่มให้บริการ</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>รอรับบริการ</translation>
    </message>
    <message>
        <source>Next in line</source>
        <translation>คิวถัดไป</translation>
    </message>
    <message>
        <source>Lines {groups}</source>
        <translation>กลุ่ม {groups}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>เปิดให้บริการ</translation>
    </message>
    <message>
        <source>On a break</source>
        <translation>พักชั่วคราว</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>ปิด</translation>
    </message>
    <message>
        <source>Staff: {staff}</source>
        <translation>เจ้าหน้าที่: {staff}</translation>
    </message>
    <message>
        <source>Serving since {time}</source>
        <translation>กำลังให้บริการ ตั้งแต่ {time}</translation>
    </message>
    <message>
        <source>Called: waiting for the applicant to come</source>
        <translation>เรียกแล้ว: รอผู้รับบริการมาที่ช่อง</translation>
    </message>
    <message>
        <source>Called {count} time(s)</source>
        <translation>เรียกแล้ว {count} ครั้ง</translation>
    </message>
    <message>
        <source>missed once before</source>
        <translation>เคยไม่มาตามเรียก 1 ครั้ง</translation>
    </message>
    <message>
        <source>waited {minutes} min</source>
        <translation>รอมาแล้ว {minutes} นาที</translation>
    </message>
    <message>
        <source>Request {number}</source>
        <translation>คำขอเลขที่ {number}</translation>
    </message>
    <message>
        <source>missed, comes back</source>
        <translation>ไม่มาตามเรียก จะเรียกอีกครั้ง</translation>
    </message>
    <message>
        <source>→ counter {counter}</source>
        <translation>→ ช่อง {counter}</translation>
    </message>
    <message>
        <source>→ this counter</source>
        <translation>→ ช่องนี้</translation>
    </message>
    <message>
        <source>{count} in line</source>
        <translation>รอ {count} คิว</translation>
    </message>
    <message>
        <source>({count} priority)</source>
        <translation>(คิวพิเศษ {count})</translation>
    </message>
    <message>
        <source>about {minutes} min</source>
        <translation>ประมาณ {minutes} นาที</translation>
    </message>
    <message>
        <source>Nobody called. Press “Call next” when you are ready.</source>
        <translation>ยังไม่ได้เรียกคิว กด “เรียกคิวถัดไป” เมื่อพร้อม</translation>
    </message>
    <message>
        <source>The counter is on a break.</source>
        <translation>ช่องบริการพักชั่วคราว</translation>
    </message>
    <message>
        <source>Please enter your PIN.</source>
        <translation>กรุณากรอก PIN</translation>
    </message>
    <message>
        <source>Wrong staff code or PIN.</source>
        <translation>รหัสเจ้าหน้าที่หรือ PIN ไม่ถูกต้อง</translation>
    </message>
    <message>
        <source>Same line ({group})</source>
        <translation>กลุ่มเดิม ({group})</translation>
    </message>
    <message>
        <source>Any counter of that line</source>
        <translation>ช่องใดก็ได้ของกลุ่มนั้น</translation>
    </message>
    <message>
        <source>Choose another line or another counter.</source>
        <translation>กรุณาเลือกกลุ่มบริการหรือช่องบริการปลายทาง</translation>
    </message>
    <message>
        <source>Please give the reason.</source>
        <translation>กรุณาระบุเหตุผล</translation>
    </message>
    <message>
        <source>Please type the ticket number.</source>
        <translation>กรุณาพิมพ์หมายเลขคิว</translation>
    </message>
    <message>
        <source>{count} people ahead of you, about {minutes} minutes</source>
        <translation>มีคิวก่อนหน้า {count} คิว ประมาณ {minutes} นาที</translation>
    </message>
    <message>
        <source>You are next: please watch the screen.</source>
        <translation>ท่านเป็นคิวถัดไป กรุณาดูหมายเลขบนจอ</translation>
    </message>
    <message>
        <source>Your queue number</source>
        <translation>หมายเลขคิวของท่าน</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} นาที</translation>
    </message>
    <message>
        <source>Close the kiosk</source>
        <translation>ปิดตู้บริการ</translation>
    </message>
    <message>
        <source>To close the kiosk, enter your staff code and PIN again.</source>
        <translation>หากต้องการปิดตู้บริการ กรุณากรอกรหัสเจ้าหน้าที่และ PIN อีกครั้ง</translation>
    </message>
</context>
</TS>
