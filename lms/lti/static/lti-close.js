// Dynamic Registration 1.0, section 3.6: tell the LMS that registration is done, then close.
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
